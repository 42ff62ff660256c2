export interface LagPoint {
  at: number;
  lag: number;
}

const width = 600;
const height = 160;
const pad = 36;

/** Total lag over time as an SVG line (drawn by the app: no inline style or script, within the console's CSP). */
export function LagChart({ points, windowMs }: { points: LagPoint[]; windowMs: number }) {
  if (points.length === 0) {
    return <p class="muted">Sampling…</p>;
  }
  const now = points[points.length - 1].at;
  const max = Math.max(1, ...points.map((p) => p.lag));
  const x = (at: number) => pad + ((at - (now - windowMs)) / windowMs) * (width - pad - 8);
  const y = (lag: number) => height - pad / 2 - (lag / max) * (height - pad);
  const line = points.map((p) => `${x(p.at).toFixed(1)},${y(p.lag).toFixed(1)}`).join(" ");
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Total lag now ${points[points.length - 1].lag}, at most ${max} in the window`} data-testid="lag-chart">
        <line class="axis" x1={pad} y1={y(0)} x2={width - 8} y2={y(0)} />
        <line class="axis" x1={pad} y1={y(max)} x2={pad} y2={y(0)} />
        <text class="label" x={pad - 4} y={y(max) + 4} text-anchor="end">{max.toLocaleString("en-US")}</text>
        <text class="label" x={pad - 4} y={y(0) + 4} text-anchor="end">0</text>
        <text class="label" x={pad} y={height - 2}>−5 min</text>
        <text class="label" x={width - 8} y={height - 2} text-anchor="end">now</text>
        <polyline class="lag" points={line} />
      </svg>
    </figure>
  );
}
