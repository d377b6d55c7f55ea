import { schema, type Database } from '@samokoder/db';
import { eq, sql } from 'drizzle-orm';

const { users } = schema;

/** A user as the API shows it. */
export interface UserView {
  id: string;
  email: string;
  createdAt: string;
}

type UserRow = typeof users.$inferSelect;

export function toUserView(row: Pick<UserRow, 'id' | 'email' | 'createdAt'>): UserView {
  return { id: row.id, email: row.email, createdAt: row.createdAt.toISOString() };
}

const viewColumns = { id: users.id, email: users.email, createdAt: users.createdAt };

/** Create a user; null when the (normalised) email is taken. */
export async function createUser(
  db: Database,
  email: string,
  passwordHash: string,
): Promise<UserView | null> {
  const [row] = await db
    .insert(users)
    .values({ email, passwordHash })
    .onConflictDoNothing({ target: users.email })
    .returning(viewColumns);
  return row ? toUserView(row) : null;
}

export async function findUserByEmail(
  db: Database,
  email: string,
): Promise<(UserView & { passwordHash: string }) | null> {
  const [row] = await db
    .select({ ...viewColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, email))
    .limit(1);
  return row ? { ...toUserView(row), passwordHash: row.passwordHash } : null;
}

export async function getUser(db: Database, id: string): Promise<UserView | null> {
  const [row] = await db.select(viewColumns).from(users).where(eq(users.id, id)).limit(1);
  return row ? toUserView(row) : null;
}

/** Store a re-derived hash (its iteration count was raised since it was made). */
export async function updatePasswordHash(db: Database, id: string, passwordHash: string): Promise<void> {
  await db
    .update(users)
    .set({ passwordHash, updatedAt: sql`now()` })
    .where(eq(users.id, id));
}
