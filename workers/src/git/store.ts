/**
 * Where a repository's objects and refs live, as the protocol code sees it. The project's Durable Object
 * implements it over its SQLite; tests use {@link MemoryStore}.
 */
import { objectId, type GitObject, type ObjectId } from './object.ts';

/** A repository's objects, addressed by their ids. */
export interface ObjectStore {
  get(id: ObjectId): Promise<GitObject | null>;
  has(id: ObjectId): Promise<boolean>;
  /** Stores an object and returns its id (storing one that is there already changes nothing). */
  put(object: GitObject): Promise<ObjectId>;
}

/** Objects in memory: a store for tests and for work on a pack before it is kept. */
export class MemoryStore implements ObjectStore {
  readonly objects = new Map<ObjectId, GitObject>();

  get(id: ObjectId): Promise<GitObject | null> {
    return Promise.resolve(this.objects.get(id) ?? null);
  }

  has(id: ObjectId): Promise<boolean> {
    return Promise.resolve(this.objects.has(id));
  }

  async put(object: GitObject): Promise<ObjectId> {
    const id = await objectId(object.type, object.body);
    this.objects.set(id, object);
    return id;
  }
}
