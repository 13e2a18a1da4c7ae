import { messageOf, type Store } from '@keep/core';
import { findModel, listModels, type ModelRecord } from '@keep/registry';

/**
 * The registry's catalog, read-only, from the shared store. Before the registry
 * has created its table (first start, or no registry built yet) the catalog is
 * empty: nothing can be loaded, which is the safe reading.
 */
export function lookupModel(store: Store, ref: string): ModelRecord | null {
  return orEmpty(() => findModel(store, ref), null);
}

export function activeModels(store: Store): ModelRecord[] {
  return orEmpty(() => listModels(store), []).filter((model) => model.state === 'active');
}

function orEmpty<T>(read: () => T, empty: T): T {
  try {
    return read();
  } catch (error) {
    if (/no such table: registry_models/.test(messageOf(error))) return empty;
    throw error;
  }
}
