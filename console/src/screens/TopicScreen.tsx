import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useEffect, useRef, useState } from "preact/hooks";
import { admin, describeError, isAbort, isAuthFailure } from "../api";
import { bytesAs, bytesReadable, count, time, type ValueView } from "../format";
import { BrowseRequestSchema, type BrowsedRecord, type BrowseRequest } from "../gen/admin_pb";
import { href } from "../router";
import type { Rights } from "../scopes";
import { usePolled } from "./useCall";

type From = "earliest" | "latest" | "offset" | "time";

interface Query {
  from: From;
  offset: string;
  time: string;
  partition: string;
  key: string;
  value: string;
  limit: string;
}

/** Records shown at most: a live tail keeps the newest. */
const maxShown = 500;
const encoder = new TextEncoder();
const ceHeader = /^ce_/i;

/** One topic: its partitions, a record browser (from a position, filtered) and a live tail of new records. */
export function TopicScreen({ topic, rights, onUnauthenticated }: { topic: string; rights: Rights; onUnauthenticated: () => void }) {
  const described = usePolled((signal) => admin.describeTopic({ topic }, { signal }), [topic], onUnauthenticated, 5000);
  const [query, setQuery] = useState<Query>({ from: "earliest", offset: "0", time: "", partition: "", key: "", value: "", limit: "100" });
  const [view, setView] = useState<ValueView>("text");
  const [records, setRecords] = useState<BrowsedRecord[]>([]);
  const [status, setStatus] = useState<string>("");
  const [error, setError] = useState<string | undefined>();
  const [tailing, setTailing] = useState(false);
  const running = useRef<AbortController | null>(null);

  useEffect(() => () => running.current?.abort(), []);

  const stream = async (request: BrowseRequest, follow: boolean) => {
    running.current?.abort();
    const abort = new AbortController();
    running.current = abort;
    setError(undefined);
    setRecords([]);
    setTailing(follow);
    setStatus(follow ? "Starting live tail…" : "Reading…");
    let received = 0;
    // The gateway answers a follow's headers once its tail has begun: from then on nothing published is missed.
    const onHeader = follow ? () => setStatus("Following new records") : undefined;
    try {
      for await (const record of admin.browse(request, { signal: abort.signal, onHeader })) {
        received++;
        // Newest first: a tail reads from the top.
        setRecords((shown) => [record, ...shown].slice(0, maxShown));
        if (follow) {
          setStatus(`Following: ${received} new record${received === 1 ? "" : "s"}`);
        }
      }
      if (!follow) {
        setStatus(`${received} record${received === 1 ? "" : "s"}`);
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
      setStatus("");
    } finally {
      if (running.current === abort) {
        setTailing(false);
      }
    }
  };

  const filters = () => {
    const partitions = query.partition === "" ? [] : [Number.parseInt(query.partition, 10)];
    return {
      topic,
      partitions,
      keyContains: encoder.encode(query.key),
      valueContains: encoder.encode(query.value),
    };
  };

  const browse = (event: Event) => {
    event.preventDefault();
    const request = create(BrowseRequestSchema, { ...filters(), limit: Math.max(0, Number.parseInt(query.limit, 10) || 0) });
    switch (query.from) {
      case "earliest":
        request.from = { case: "fromEarliest", value: true };
        break;
      case "latest":
        request.from = { case: "fromLatest", value: true };
        break;
      case "offset":
        request.from = { case: "fromOffset", value: BigInt(query.offset.trim() || "0") };
        break;
      case "time":
        request.from = { case: "fromTimestamp", value: timestampFromDate(new Date(query.time)) };
        break;
    }
    void stream(request, false);
  };

  const toggleTail = () => {
    if (tailing) {
      running.current?.abort();
      running.current = null;
      setTailing(false);
      setStatus("Live tail stopped");
      return;
    }
    void stream(create(BrowseRequestSchema, { ...filters(), from: { case: "fromLatest", value: true }, follow: true }), true);
  };

  const partitions = described.data?.partitions ?? [];
  const set = (field: keyof Query) => (event: Event) =>
    setQuery({ ...query, [field]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value });

  return (
    <section>
      <p class="crumbs"><a href={href({ screen: "topics" })}>Topics</a> /</p>
      <h1>{topic}</h1>
      {described.error && <p class="error" role="alert">{described.error}</p>}
      {described.data && (
        <details>
          <summary>{partitions.length} partitions, {count(partitions.reduce((s, p) => s + p.endOffset - p.earliestOffset, 0n))} records retained</summary>
          <div class="scroll">
            <table data-testid="partitions">
              <thead>
                <tr><th scope="col" class="num">Partition</th><th scope="col" class="num">Earliest</th><th scope="col" class="num">End</th><th scope="col" class="num">Retained</th></tr>
              </thead>
              <tbody>
                {partitions.map((p) => (
                  <tr key={p.partition}>
                    <td class="num">{p.partition}</td>
                    <td class="num">{count(p.earliestOffset)}</td>
                    <td class="num">{count(p.endOffset)}</td>
                    <td class="num">{count(p.endOffset - p.earliestOffset)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
      <div class="actions">
        <a href={href({ screen: "groups" })}>Groups</a>
        {rights.grants("publish", topic) && <a href={href({ screen: "produce", topic })}>Produce to {topic}</a>}
      </div>

      <form class="card browse" onSubmit={browse} aria-label="Browse records">
        <div class="field">
          <label for="from">From</label>
          <select id="from" value={query.from} onChange={set("from")}>
            <option value="earliest">Earliest</option>
            <option value="latest">Latest</option>
            <option value="offset">Offset</option>
            <option value="time">Time</option>
          </select>
        </div>
        {query.from === "offset" && (
          <div class="field">
            <label for="offset">Offset</label>
            <input id="offset" inputMode="numeric" pattern="[0-9]+" value={query.offset} onInput={set("offset")} />
          </div>
        )}
        {query.from === "time" && (
          <div class="field">
            <label for="time">Time</label>
            <input id="time" type="datetime-local" step="1" value={query.time} onInput={set("time")} required />
          </div>
        )}
        <div class="field">
          <label for="partition">Partition</label>
          <select id="partition" value={query.partition} onChange={set("partition")}>
            <option value="">All</option>
            {partitions.map((p) => <option key={p.partition} value={String(p.partition)}>{p.partition}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="key">Key contains</label>
          <input id="key" value={query.key} onInput={set("key")} />
        </div>
        <div class="field">
          <label for="value">Value contains</label>
          <input id="value" value={query.value} onInput={set("value")} />
        </div>
        <div class="field">
          <label for="limit">Limit</label>
          <input id="limit" inputMode="numeric" pattern="[0-9]+" value={query.limit} onInput={set("limit")} />
        </div>
        <div class="field">
          <label for="view">Show values as</label>
          <select id="view" value={view} onChange={(e) => setView(e.currentTarget.value as ValueView)}>
            <option value="text">Text</option>
            <option value="json">JSON</option>
            <option value="hex">Hex</option>
          </select>
        </div>
        <div class="buttons">
          <button type="submit">Browse</button>
          <button type="button" class={tailing ? "on" : ""} aria-pressed={tailing} onClick={toggleTail}>
            {tailing ? "Stop live tail" : "Live tail"}
          </button>
        </div>
      </form>

      {error && <p class="error" role="alert">{error}</p>}
      <p class="muted" role="status" data-testid="browse-status">{status}</p>
      {records.length > 0 && (
        <div class="scroll">
          <table class="records" data-testid="records">
            <thead>
              <tr>
                <th scope="col" class="num">Partition</th>
                <th scope="col" class="num">Offset</th>
                <th scope="col">Timestamp</th>
                <th scope="col">Key</th>
                <th scope="col">Value</th>
                <th scope="col">Headers</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr key={`${r.partition}:${r.offset}`} data-offset={String(r.offset)} data-partition={r.partition}>
                  <td class="num">{r.partition}</td>
                  <td class="num">{String(r.offset)}</td>
                  <td class="nowrap">{time(r.timestamp)}</td>
                  <td class="mono">{r.key === undefined ? <span class="muted">null</span> : bytesReadable(r.key)}</td>
                  <td><pre class="value">{bytesAs(r.value, view)}</pre></td>
                  <td>
                    {r.headers.length > 0 && (
                      <dl class="headers">
                        {r.headers.map((h, i) => (
                          <div key={i} class={ceHeader.test(h.name) ? "ce" : ""}>
                            <dt title={ceHeader.test(h.name) ? "CloudEvents attribute" : undefined}>{h.name}</dt>
                            <dd>{bytesReadable(h.value)}</dd>
                          </div>
                        ))}
                      </dl>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
