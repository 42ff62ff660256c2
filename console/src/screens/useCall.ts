import { useEffect, useState } from "preact/hooks";
import { describeError, isAbort, isAuthFailure } from "../api";

export interface CallState<T> {
  data: T | undefined;
  error: string | undefined;
}

/**
 * Runs <paramref>load</paramref> now and again every <paramref>refreshMs</paramref> (if given) until the screen
 * goes; an UNAUTHENTICATED answer hands over to the token form.
 */
export function usePolled<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  onUnauthenticated: () => void,
  refreshMs?: number,
): CallState<T> {
  const [state, setState] = useState<CallState<T>>({ data: undefined, error: undefined });
  useEffect(() => {
    const abort = new AbortController();
    let timer: number | undefined;
    const run = async () => {
      try {
        const data = await load(abort.signal);
        if (!abort.signal.aborted) {
          setState({ data, error: undefined });
        }
      } catch (e) {
        if (isAbort(e) || abort.signal.aborted) {
          return;
        }
        if (isAuthFailure(e)) {
          onUnauthenticated();
          return;
        }
        setState((previous) => ({ data: previous.data, error: describeError(e) }));
      }
      if (refreshMs !== undefined && !abort.signal.aborted) {
        timer = window.setTimeout(run, refreshMs);
      }
    };
    void run();
    return () => {
      abort.abort();
      window.clearTimeout(timer);
    };
  }, deps);
  return state;
}
