import { useEffect, useRef, useState } from "preact/hooks";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { admin, describeError, isAbort, isAuthFailure } from "../api";
import { count, time } from "../format";
import type { DescribeGroupReply } from "../gen/admin_pb";
import { href } from "../router";
import type { Rights } from "../scopes";
import { LagChart, type LagPoint } from "./LagChart";
import { ResetDialog } from "./ResetDialog";

/** The lag chart's window. */
const windowMs = 5 * 60 * 1000;
const sampleMs = 1000;

interface Props {
  topic: string;
  group: string;
  version: number;
  rights: Rights;
  onUnauthenticated: () => void;
}

/** One group version, watched live: per partition position, end, lag, owner and last ack; a lag chart; the reset dialog. */
export function GroupScreen({ topic, group, version, rights, onUnauthenticated }: Props) {
  const [snapshot, setSnapshot] = useState<DescribeGroupReply | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [points, setPoints] = useState<LagPoint[]>([]);
  const [resetting, setResetting] = useState(false);
  const [restart, setRestart] = useState(0);
  const latest = useRef<DescribeGroupReply | undefined>(undefined);

  useEffect(() => {
    const abort = new AbortController();
    let retry: number | undefined;
    const watch = async () => {
      try {
        for await (const reply of admin.watchGroup({ topic, group, groupVersion: version, interval: durationFromMs(1000) }, { signal: abort.signal })) {
          latest.current = reply;
          setSnapshot(reply);
          setError(undefined);
        }
      } catch (e) {
        if (isAbort(e) || abort.signal.aborted) {
          return;
        }
        if (isAuthFailure(e)) {
          onUnauthenticated();
          return;
        }
        setError(describeError(e));
      }
      if (!abort.signal.aborted) {
        retry = window.setTimeout(watch, 3000);
      }
    };
    void watch();
    return () => {
      abort.abort();
      window.clearTimeout(retry);
    };
  }, [topic, group, version, restart]);

  // The watch sends a snapshot only when something changed: the chart samples the last one every second.
  useEffect(() => {
    const timer = window.setInterval(() => {
      const reply = latest.current;
      if (reply === undefined) {
        return;
      }
      const now = Date.now();
      const lag = reply.partitions.reduce((sum, p) => sum + p.lag, 0n);
      setPoints((shown) => [...shown.filter((p) => p.at > now - windowMs), { at: now, lag: Number(lag) }]);
    }, sampleMs);
    return () => window.clearInterval(timer);
  }, []);

  const mayReset = rights.grants("admin", topic) && rights.grants("group", group);
  const totalLag = snapshot?.partitions.reduce((sum, p) => sum + p.lag, 0n);
  return (
    <section>
      <p class="crumbs"><a href={href({ screen: "groups" })}>Groups</a> / <a href={href({ screen: "topic", topic })}>{topic}</a> /</p>
      <h1>{group} <span class="muted">v{version}</span></h1>
      <div class="summary">
        <div><span class="muted">Topic</span> {topic}</div>
        <div><span class="muted">Live members</span> <span data-testid="members">{snapshot?.liveMembers ?? "?"}</span></div>
        <div><span class="muted">Total lag</span> <span data-testid="total-lag">{count(totalLag)}</span></div>
        {mayReset && (
          <button type="button" data-testid="reset" onClick={() => setResetting(true)} disabled={snapshot === undefined}>Reset positions…</button>
        )}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {snapshot === undefined && !error && <p class="muted">Loading…</p>}
      {snapshot !== undefined && (
        <div class="scroll">
          <table data-testid="group-partitions">
            <thead>
              <tr>
                <th scope="col" class="num">Partition</th>
                <th scope="col" class="num">Position</th>
                <th scope="col" class="num">End</th>
                <th scope="col" class="num">Lag</th>
                <th scope="col">Owner node</th>
                <th scope="col">Owner client</th>
                <th scope="col">Last ack</th>
              </tr>
            </thead>
            <tbody>
              {snapshot.partitions.map((p) => (
                <tr key={p.partition} data-partition={p.partition}>
                  <td class="num">{p.partition}</td>
                  <td class="num" data-col="position">{p.position === undefined ? "—" : String(p.position)}</td>
                  <td class="num">{String(p.endOffset)}</td>
                  <td class="num" data-col="lag">{count(p.lag)}</td>
                  <td class="mono small" title={p.ownerSessionId}>{p.ownerNode ?? "—"}</td>
                  <td class="mono small">{p.ownerClientAddress ?? "—"}</td>
                  <td class="nowrap small">{time(p.lastAckTime)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Lag, last 5 minutes</h2>
      <LagChart points={points} windowMs={windowMs} />
      {resetting && snapshot !== undefined && (
        <ResetDialog
          topic={topic}
          group={group}
          version={version}
          partitions={snapshot.partitions.map((p) => p.partition)}
          onUnauthenticated={onUnauthenticated}
          onClose={(executed) => {
            setResetting(false);
            if (executed) {
              // A fresh watch shows the new positions at once rather than at the next interval.
              setRestart((n) => n + 1);
            }
          }}
        />
      )}
    </section>
  );
}
