import { admin } from "../api";
import { usePolled } from "./useCall";

/** The cluster's members as the gateway serving the console sees them, and the group coordinators each runs. */
export function ClusterScreen({ onUnauthenticated }: { onUnauthenticated: () => void }) {
  const { data, error } = usePolled((signal) => admin.describeCluster({}, { signal }), [], onUnauthenticated, 5000);
  return (
    <section>
      <h1>Cluster</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {data === undefined && !error && <p class="muted">Loading…</p>}
      {data !== undefined && (
        <div class="scroll">
          <table data-testid="nodes">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Status</th>
                <th scope="col">Reachable</th>
                <th scope="col">Roles</th>
                <th scope="col">Coordinates</th>
              </tr>
            </thead>
            <tbody>
              {data.nodes.map((node) => (
                <tr key={node.address} data-address={node.address}>
                  <td class="mono">
                    {node.address} {node.self && <span class="badge">this node</span>} {node.leader && <span class="badge">leader</span>}
                  </td>
                  <td data-col="status">{node.status}</td>
                  <td>{node.reachable ? "yes" : <strong class="error-text">no</strong>}</td>
                  <td>{node.roles.join(", ") || <span class="muted">—</span>}</td>
                  <td data-col="groups">
                    {!node.coordinatorsKnown && <span class="muted">did not answer</span>}
                    {node.coordinatorsKnown && node.coordinatedGroups.length === 0 && <span class="muted">no group</span>}
                    {node.coordinatedGroups.length > 0 && (
                      <ul class="plain">
                        {node.coordinatedGroups.map((g) => <li key={`${g.topic}/${g.group}`}>{g.topic} / {g.group}</li>)}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted small">A group's coordinator assigns its partitions to members and fences their acks; every version of a name shares one.</p>
    </section>
  );
}
