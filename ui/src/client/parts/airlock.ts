import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';

export interface AirlockState {
  available: boolean;
  enabled?: boolean;
  contained?: boolean;
  containedReason?: string | null;
  updatedAt?: number;
  updatedBy?: string;
}

/** The airlock's state; `available: false` when keep-airlock is not running (then nothing of it is shown). */
export function useAirlock(): [AirlockState | null, () => Promise<void>] {
  const [state, setState] = useState<AirlockState | null>(null);
  const load = async (): Promise<void> => {
    setState(await api<AirlockState>('GET', '/api/airlock').catch(() => ({ available: false })));
  };
  useEffect(() => void load(), []);
  return [state, load];
}
