import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useEffect, useRef, useState } from "preact/hooks";
import { admin, describeError, isAuthFailure } from "../api";
import { ResetPositionsRequestSchema, type ResetPositionsReply, type ResetPositionsRequest } from "../gen/admin_pb";

type Target = "earliest" | "latest" | "offset" | "time" | "duration" | "shift";

interface Props {
  topic: string;
  group: string;
  version: number;
  partitions: number[];
  onUnauthenticated: () => void;
  onClose: (executed: boolean) => void;
}

/**
 * Resetting a group's positions in two steps: a dry run shows each partition's position before and after, then the
 * same request is executed. Changing the choice drops the preview, so what is executed is always what was shown.
 */
export function ResetDialog({ topic, group, version, partitions, onUnauthenticated, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [target, setTarget] = useState<Target>("earliest");
  const [argument, setArgument] = useState("");
  const [chosen, setChosen] = useState<number[]>([]);
  const [preview, setPreview] = useState<ResetPositionsReply | undefined>();
  const [done, setDone] = useState<ResetPositionsReply | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const changed = (apply: () => void) => {
    apply();
    setPreview(undefined);
    setError(undefined);
  };

  const request = (execute: boolean): ResetPositionsRequest => {
    const r = create(ResetPositionsRequestSchema, { topic, group, groupVersion: version, partitions: chosen, execute });
    const text = argument.trim();
    switch (target) {
      case "earliest":
        r.target = { case: "toEarliest", value: true };
        break;
      case "latest":
        r.target = { case: "toLatest", value: true };
        break;
      case "offset":
        r.target = { case: "toOffset", value: BigInt(text) };
        break;
      case "time":
        r.target = { case: "toTimestamp", value: timestampFromDate(new Date(text)) };
        break;
      case "duration":
        r.target = { case: "byDuration", value: durationFromMs(Number.parseFloat(text) * 60_000) };
        break;
      case "shift":
        r.target = { case: "shiftBy", value: BigInt(text) };
        break;
    }
    return r;
  };

  const call = async (execute: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const reply = await admin.resetPositions(request(execute));
      if (execute) {
        setDone(reply);
      } else {
        setPreview(reply);
      }
    } catch (e) {
      if (isAuthFailure(e)) {
        onUnauthenticated();
        return;
      }
      setError(e instanceof SyntaxError || e instanceof RangeError ? `Not a valid ${target}: ${argument}` : describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const shown = done ?? preview;
  const needsArgument = target === "offset" || target === "time" || target === "duration" || target === "shift";
  return (
    <dialog ref={dialog} class="card dialog" aria-labelledby="reset-title" onClose={() => onClose(done !== undefined)}>
      <h2 id="reset-title">Reset {group} v{version} on {topic}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void call(false);
        }}
      >
        <fieldset disabled={busy || done !== undefined}>
          <div class="field">
            <label for="reset-target">Target</label>
            <select id="reset-target" value={target} onChange={(e) => changed(() => setTarget(e.currentTarget.value as Target))}>
              <option value="earliest">Earliest retained record</option>
              <option value="latest">Latest (skip everything)</option>
              <option value="offset">Offset</option>
              <option value="time">Time</option>
              <option value="duration">Minutes back from now</option>
              <option value="shift">Shift by records</option>
            </select>
          </div>
          {needsArgument && (
            <div class="field">
              <label for="reset-argument">{target === "offset" ? "Offset" : target === "time" ? "Time" : target === "duration" ? "Minutes" : "Records (negative: back)"}</label>
              {target === "time" ? (
                <input id="reset-argument" type="datetime-local" step="1" value={argument} required onInput={(e) => changed(() => setArgument(e.currentTarget.value))} />
              ) : (
                <input id="reset-argument" type="text" inputMode="numeric" value={argument} required onInput={(e) => changed(() => setArgument(e.currentTarget.value))} />
              )}
            </div>
          )}
          <div class="field">
            <span class="label">Partitions (none chosen: all)</span>
            <div class="checks">
              {partitions.map((p) => (
                <label key={p} class="check">
                  <input
                    type="checkbox"
                    checked={chosen.includes(p)}
                    onChange={(e) => changed(() => setChosen(e.currentTarget.checked ? [...chosen, p].sort((a, b) => a - b) : chosen.filter((c) => c !== p)))}
                  />
                  {p}
                </label>
              ))}
            </div>
          </div>
          <div class="buttons">
            <button type="submit" data-testid="preview">Preview</button>
          </div>
        </fieldset>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {shown && (
        <div class="scroll">
          <p role="status" data-testid="reset-status">
            {done ? "Executed: the positions below are now the group's." : "Dry run: nothing changed yet."}
          </p>
          <table data-testid="reset-preview">
            <thead>
              <tr><th scope="col" class="num">Partition</th><th scope="col" class="num">Before</th><th scope="col" class="num">After</th><th scope="col">Clamped</th></tr>
            </thead>
            <tbody>
              {shown.partitions.map((p) => (
                <tr key={p.partition} data-partition={p.partition}>
                  <td class="num">{p.partition}</td>
                  <td class="num" data-col="before">{p.previousPosition === undefined ? "—" : String(p.previousPosition)}</td>
                  <td class="num" data-col="after">{String(p.newPosition)}</td>
                  <td>{p.clamped ? "yes" : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="buttons">
        {preview && !done && (
          <button type="button" class="danger" data-testid="execute" disabled={busy} onClick={() => void call(true)}>
            Execute reset
          </button>
        )}
        <button type="button" onClick={() => dialog.current?.close()}>{done ? "Close" : "Cancel"}</button>
      </div>
    </dialog>
  );
}
