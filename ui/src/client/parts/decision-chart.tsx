import { DECISIONS, bucketDecisions } from './decision-buckets';

const W = 600;
const H = 140;

/** Stacked bars of audit decisions over time, drawn as SVG (no chart library, no inline style). */
export function DecisionChart(props: { events: readonly { time: string; decision: string }[] }) {
  const buckets = bucketDecisions(props.events, 24);
  if (buckets.length === 0) return <p class="hint">No decisions recorded yet.</p>;
  const max = Math.max(1, ...buckets.map((b) => DECISIONS.reduce((s, d) => s + b.counts[d], 0)));
  const barWidth = W / buckets.length;
  const totals = DECISIONS.map((d) => `${d}: ${buckets.reduce((s, b) => s + b.counts[d], 0)}`).join(', ');
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Decisions over time. Totals: ${totals}`}>
        {buckets.map((b, i) => {
          let y = H;
          return DECISIONS.map((d) => {
            const h = (b.counts[d] / max) * (H - 10);
            y -= h;
            return h > 0 ? <rect key={`${i}-${d}`} class={`bar ${d}`} x={i * barWidth + 1} y={y} width={barWidth - 2} height={h}><title>{`${new Date(b.start).toLocaleTimeString()}: ${b.counts[d]} ${d}`}</title></rect> : null;
          });
        })}
      </svg>
      <figcaption>
        {DECISIONS.map((d) => <span key={d} class="legend"><span class={`swatch ${d}`} aria-hidden="true" /> {d.replace('_', ' ')}</span>)}
        <span class="hint"> · {new Date(buckets[0]!.start).toLocaleString()} to {new Date(buckets[buckets.length - 1]!.end).toLocaleString()}</span>
      </figcaption>
    </figure>
  );
}
