import { useState } from "preact/hooks";
import { admin } from "../api";
import { count } from "../format";
import { href } from "../router";
import { usePolled } from "./useCall";

interface GroupRow {
  topic: string;
  group: string;
  version: number;
  latest: boolean;
  versions: number[];
  members: number | undefined;
  lag: bigint;
}

type Order = "lag-desc" | "lag-asc" | "name";

/** Every group version of every topic the token may read, with its live members and total lag. */
export function GroupsScreen({ onUnauthenticated }: { onUnauthenticated: () => void }) {
  const [order, setOrder] = useState<Order>("lag-desc");
  const [filter, setFilter] = useState("");
  const { data, error } = usePolled(
    async (signal) => {
      const { groups } = await admin.listGroups({}, { signal });
      return groups.flatMap((g) =>
        g.versions.map((v): GroupRow => ({
          topic: g.topic,
          group: g.group,
          version: v.groupVersion,
          latest: v.latest,
          versions: g.versions.map((x) => x.groupVersion),
          members: v.liveMembers,
          lag: v.lag,
        })),
      );
    },
    [],
    onUnauthenticated,
    5000,
  );
  const rows = (data ?? [])
    .filter((r) => filter === "" || r.group.includes(filter) || r.topic.includes(filter))
    .sort((a, b) => {
      if (order === "name") {
        return a.topic.localeCompare(b.topic) || a.group.localeCompare(b.group) || a.version - b.version;
      }
      const byLag = a.lag === b.lag ? 0 : a.lag < b.lag ? -1 : 1;
      return (order === "lag-desc" ? -byLag : byLag) || a.group.localeCompare(b.group);
    });
  const lagSort = order === "lag-desc" ? "descending" : order === "lag-asc" ? "ascending" : undefined;
  return (
    <section>
      <h1>Groups</h1>
      <div class="actions">
        <label for="group-filter">Filter</label>
        <input id="group-filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder="topic or group" />
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {data === undefined && !error && <p class="muted">Loading…</p>}
      {data !== undefined && data.length === 0 && <p class="muted">No group has stored a position yet.</p>}
      {rows.length > 0 && (
        <div class="scroll">
          <table data-testid="groups">
            <thead>
              <tr>
                <th scope="col" aria-sort={order === "name" ? "ascending" : undefined}>
                  <button type="button" class="sort" onClick={() => setOrder("name")}>Topic</button>
                </th>
                <th scope="col">Group</th>
                <th scope="col">Version</th>
                <th scope="col" class="num">Live members</th>
                <th scope="col" class="num" aria-sort={lagSort}>
                  <button type="button" class="sort" data-testid="sort-lag" onClick={() => setOrder(order === "lag-desc" ? "lag-asc" : "lag-desc")}>
                    Total lag {order === "lag-desc" ? "▼" : order === "lag-asc" ? "▲" : ""}
                  </button>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.topic}/${r.group}/${r.version}`} data-group={r.group} data-topic={r.topic}>
                  <td>{r.topic}</td>
                  <td><a href={href({ screen: "group", topic: r.topic, group: r.group, version: r.version })}>{r.group}</a></td>
                  <td>
                    v{r.version} {r.latest && <span class="badge">latest</span>}
                    {r.versions.length > 1 && <span class="muted small"> of {r.versions.map((v) => `v${v}`).join(", ")}</span>}
                  </td>
                  <td class="num">{r.members === undefined ? "?" : r.members}</td>
                  <td class="num" data-col="lag">{count(r.lag)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
