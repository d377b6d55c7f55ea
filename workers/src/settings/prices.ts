/**
 * A user's own prices for models without a list price, and what setting one does to the usage
 * already recorded: a price applies to every call of its model that the list does not price, earlier
 * calls included (the ledger here, each project's totals through its Durable Object).
 */
import { schema, type Database } from '@samokoder/db';
import { and, asc, count, desc, eq, isNotNull, isNull, max, or, sql } from 'drizzle-orm';
import type { ModelSpec } from '../llm/models.ts';
import type { OwnPrice } from '../llm/pricing.ts';

const { modelPrices, usageLedger } = schema;

/** One of the user's prices as the API shows it. */
export interface OwnPriceView extends OwnPrice {
  /** `provider:model`, canonical. */
  model: string;
  updatedAt: string;
}

/** A model the user called whose price is not known. */
export interface UnpricedModel {
  model: string;
  calls: number;
  lastCalledAt: string;
}

const spec = (provider: string, model: string) => `${provider}:${model}`;

export async function listOwnPrices(db: Database, userId: string): Promise<OwnPriceView[]> {
  const rows = await db
    .select()
    .from(modelPrices)
    .where(eq(modelPrices.userId, userId))
    .orderBy(asc(modelPrices.provider), asc(modelPrices.model));
  return rows.map((r) => ({
    model: spec(r.provider, r.model),
    inputMicrosPerMillion: r.inputMicrosPerMillion,
    outputMicrosPerMillion: r.outputMicrosPerMillion,
    updatedAt: r.updatedAt.toISOString(),
  }));
}

/** The user's price for one model, or null. */
export async function ownPrice(db: Database, userId: string, model: ModelSpec): Promise<OwnPrice | null> {
  const [row] = await db
    .select({
      inputMicrosPerMillion: modelPrices.inputMicrosPerMillion,
      outputMicrosPerMillion: modelPrices.outputMicrosPerMillion,
    })
    .from(modelPrices)
    .where(
      and(
        eq(modelPrices.userId, userId),
        eq(modelPrices.provider, model.provider),
        eq(modelPrices.model, model.model),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** The models the user called without a known price, the most used first (at most `limit`). */
export async function unpricedModels(db: Database, userId: string, limit = 50): Promise<UnpricedModel[]> {
  const rows = await db
    .select({
      provider: usageLedger.provider,
      model: usageLedger.model,
      calls: count(),
      last: max(usageLedger.createdAt),
    })
    .from(usageLedger)
    .where(and(eq(usageLedger.userId, userId), isNull(usageLedger.costMicros)))
    .groupBy(usageLedger.provider, usageLedger.model)
    .orderBy(desc(count()), asc(usageLedger.model))
    .limit(limit);
  return rows.map((r) => ({
    model: spec(r.provider, r.model),
    calls: r.calls,
    lastCalledAt: (r.last ?? new Date(0)).toISOString(),
  }));
}

/** The ledger rows a price of the user's own decides: its model's calls that the list did not price. */
const ownPriced = (userId: string, model: ModelSpec) =>
  and(
    eq(usageLedger.userId, userId),
    eq(usageLedger.provider, model.provider),
    eq(usageLedger.model, model.model),
    or(isNull(usageLedger.costMicros), eq(usageLedger.pricedBy, 'custom')),
  );

/** What a change of price did: the calls priced again, and the projects whose totals must follow. */
export interface Repricing {
  calls: number;
  projectIds: string[];
}

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

async function affectedProjects(tx: Tx, userId: string, model: ModelSpec): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ projectId: usageLedger.projectId })
    .from(usageLedger)
    .where(and(ownPriced(userId, model), isNotNull(usageLedger.projectId)));
  return rows.flatMap((r) => (r.projectId ? [r.projectId] : []));
}

/**
 * Sets the user's price for a model and prices its recorded calls with it. The cost of a call is
 * computed as the Worker computes it (pricing.ts): micro-dollars, rounded up.
 */
export async function setOwnPrice(
  db: Database,
  userId: string,
  model: ModelSpec,
  price: OwnPrice,
): Promise<{ view: OwnPriceView; repricing: Repricing }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(modelPrices)
      .values({ userId, provider: model.provider, model: model.model, ...price })
      .onConflictDoUpdate({
        target: [modelPrices.userId, modelPrices.provider, modelPrices.model],
        set: { ...price, updatedAt: sql`now()` },
      })
      .returning();
    const projectIds = await affectedProjects(tx, userId, model);
    const updated = await tx
      .update(usageLedger)
      .set({
        costMicros: sql`ceil((${usageLedger.inputTokens}::numeric * ${price.inputMicrosPerMillion} + ${usageLedger.outputTokens}::numeric * ${price.outputMicrosPerMillion}) / 1000000)::bigint`,
        pricedBy: 'custom',
      })
      .where(ownPriced(userId, model))
      .returning({ id: usageLedger.id });
    return {
      view: {
        model: spec(model.provider, model.model),
        inputMicrosPerMillion: row!.inputMicrosPerMillion,
        outputMicrosPerMillion: row!.outputMicrosPerMillion,
        updatedAt: row!.updatedAt.toISOString(),
      },
      repricing: { calls: updated.length, projectIds },
    };
  });
}

/** Removes the user's price for a model: its calls priced with it are of unknown cost again. Null: none. */
export async function deleteOwnPrice(
  db: Database,
  userId: string,
  model: ModelSpec,
): Promise<Repricing | null> {
  return db.transaction(async (tx) => {
    const deleted = await tx
      .delete(modelPrices)
      .where(
        and(
          eq(modelPrices.userId, userId),
          eq(modelPrices.provider, model.provider),
          eq(modelPrices.model, model.model),
        ),
      )
      .returning({ model: modelPrices.model });
    if (deleted.length === 0) return null;
    const projectIds = await affectedProjects(tx, userId, model);
    const updated = await tx
      .update(usageLedger)
      .set({ costMicros: null, pricedBy: null })
      .where(ownPriced(userId, model))
      .returning({ id: usageLedger.id });
    return { calls: updated.length, projectIds };
  });
}
