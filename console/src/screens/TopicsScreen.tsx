import { useRef } from "preact/hooks";
import { admin } from "../api";
import { count, rate } from "../format";
import { href } from "../router";
import { usePolled } from "./useCall";

interface TopicRow {
  topic: string;
  partitions: number;
  earliest: bigint;
  end: bigint;
  retained: bigint;
  perSecond: number | undefined;
}

const refreshMs = 5000;

/** Every topic the token may read: partitions, offsets, records retained, and the publish rate between two looks. */
export function TopicsScreen({ onUnauthenticated }: { onUnauthenticated: () => void }) {
  // The previous look's end offsets, for the rate.
  const previous = useRef(new Map<string, { end: bigint; at: number }>());
  const { data, error } = usePolled(
    async (signal) => {
      const { topics } = await admin.listTopics({}, { signal });
      const described = await Promise.all(topics.map((topic) => admin.describeTopic({ topic }, { signal })));
      const now = performance.now();
      return described.map((reply): TopicRow => {
        const earliest = reply.partitions.reduce((sum, p) => sum + p.earliestOffset, 0n);
        const end = reply.partitions.reduce((sum, p) => sum + p.endOffset, 0n);
        const before = previous.current.get(reply.topic);
        previous.current.set(reply.topic, { end, at: now });
        return {
          topic: reply.topic,
          partitions: reply.partitions.length,
          earliest,
          end,
          retained: end - earliest,
          perSecond: before && now > before.at ? (Number(end - before.end) * 1000) / (now - before.at) : undefined,
        };
      });
    },
    [],
    onUnauthenticated,
    refreshMs,
  );
  return (
    <section>
      <h1>Topics</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {data === undefined && !error && <p class="muted">Loading…</p>}
      {data !== undefined && data.length === 0 && <p class="muted">No topic yet: publish a record to create one.</p>}
      {data !== undefined && data.length > 0 && (
        <div class="scroll">
          <table data-testid="topics">
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col" class="num">Partitions</th>
                <th scope="col" class="num">Earliest offsets</th>
                <th scope="col" class="num">End offsets</th>
                <th scope="col" class="num">Records retained</th>
                <th scope="col" class="num">Rate</th>
              </tr>
            </thead>
            <tbody>
              {data.map((row) => (
                <tr key={row.topic} data-topic={row.topic}>
                  <td><a href={href({ screen: "topic", topic: row.topic })}>{row.topic}</a></td>
                  <td class="num">{row.partitions}</td>
                  <td class="num">{count(row.earliest)}</td>
                  <td class="num">{count(row.end)}</td>
                  <td class="num" data-col="retained">{count(row.retained)}</td>
                  <td class="num">{rate(row.perSecond)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted small">Sums over partitions; the rate is records published per second between the last two looks ({refreshMs / 1000} s apart).</p>
    </section>
  );
}
