import { create } from "@bufbuild/protobuf";
import { useState } from "preact/hooks";
import { admin, describeError, isAuthFailure, liiklus } from "../api";
import { LiiklusEventSchema, PublishRequestSchema, type PublishReply } from "../gen/liiklus_pb";
import { href } from "../router";
import { usePolled } from "./useCall";

type Mode = "event" | "raw";

const encoder = new TextEncoder();

/**
 * Publishes one record: a CloudEvent (its attributes and extensions travel as ce_ headers) or a raw value. A JSON
 * value is checked here first; the gateway's schema validation, when on, answers what it refuses and why.
 */
export function ProduceScreen({ topic: initialTopic, onUnauthenticated }: { topic: string; onUnauthenticated: () => void }) {
  const topics = usePolled((signal) => admin.listTopics({}, { signal }), [], onUnauthenticated);
  const [topic, setTopic] = useState(initialTopic);
  const [mode, setMode] = useState<Mode>("event");
  const [key, setKey] = useState("");
  const [type, setType] = useState("com.example.event");
  const [source, setSource] = useState("/liiklus/console");
  const [contentType, setContentType] = useState("application/json");
  const [extensions, setExtensions] = useState("");
  const [value, setValue] = useState("{\n  \n}");
  const [result, setResult] = useState<PublishReply | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const publish = async (event: Event) => {
    event.preventDefault();
    setResult(undefined);
    setError(undefined);
    const isJson = mode === "raw" ? false : /json/i.test(contentType);
    if (isJson) {
      try {
        JSON.parse(value);
      } catch (e) {
        setError(`The value is not JSON: ${(e as Error).message}`);
        return;
      }
    }
    const request = create(PublishRequestSchema, { topic: topic.trim(), key: encoder.encode(key) });
    if (mode === "raw") {
      request.value = encoder.encode(value);
    } else {
      const parsed: Record<string, string> = {};
      for (const line of extensions.split("\n").map((l) => l.trim()).filter((l) => l.length > 0)) {
        const at = line.indexOf("=");
        if (at <= 0) {
          setError(`Extension "${line}" is not name=value`);
          return;
        }
        parsed[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      }
      request.event = {
        case: "liiklusEvent",
        value: create(LiiklusEventSchema, {
          id: crypto.randomUUID(),
          type,
          source,
          time: new Date().toISOString(),
          dataContentType: contentType,
          data: encoder.encode(value),
          extensions: parsed,
        }),
      };
    }
    setBusy(true);
    try {
      setResult(await liiklus.publish(request));
    } catch (e) {
      if (isAuthFailure(e)) {
        onUnauthenticated();
        return;
      }
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>Produce</h1>
      <form class="card produce" onSubmit={publish}>
        <div class="field">
          <label for="produce-topic">Topic</label>
          <input id="produce-topic" list="known-topics" value={topic} required onInput={(e) => setTopic(e.currentTarget.value)} />
          <datalist id="known-topics">
            {(topics.data?.topics ?? []).map((t) => <option key={t} value={t} />)}
          </datalist>
        </div>
        <div class="field">
          <label for="produce-key">Key</label>
          <input id="produce-key" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="produce-mode">Record</label>
          <select id="produce-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as Mode)}>
            <option value="event">CloudEvent</option>
            <option value="raw">Raw value</option>
          </select>
        </div>
        {mode === "event" && (
          <>
            <div class="field">
              <label for="produce-type">Type</label>
              <input id="produce-type" value={type} required onInput={(e) => setType(e.currentTarget.value)} />
            </div>
            <div class="field">
              <label for="produce-source">Source</label>
              <input id="produce-source" value={source} required onInput={(e) => setSource(e.currentTarget.value)} />
            </div>
            <div class="field">
              <label for="produce-content-type">Content type</label>
              <input id="produce-content-type" value={contentType} onInput={(e) => setContentType(e.currentTarget.value)} />
            </div>
            <div class="field wide">
              <label for="produce-extensions">Extensions, one name=value a line (sent as ce_ headers)</label>
              <textarea id="produce-extensions" rows={2} value={extensions} onInput={(e) => setExtensions(e.currentTarget.value)} />
            </div>
          </>
        )}
        <div class="field wide">
          <label for="produce-value">{mode === "event" ? "Data" : "Value"}</label>
          <textarea id="produce-value" class="mono" rows={8} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </div>
        <div class="buttons">
          <button type="submit" disabled={busy}>Publish</button>
        </div>
      </form>
      {error && <p class="error" role="alert" data-testid="produce-error">{error}</p>}
      {result && (
        <p role="status" data-testid="produce-result">
          Published to <a href={href({ screen: "topic", topic: result.topic })}>{result.topic}</a>, partition {result.partition}, offset {String(result.offset)}.
        </p>
      )}
    </section>
  );
}
