/**
 * Rows and time-to-file of the completed runs, oldest to newest, as two small bar charts (SVG,
 * no library). A table with the same numbers sits beside each chart for screen readers.
 */
import { shortTime } from "../format";

export interface RunPoint {
  readonly label: string;
  readonly value: number;
}

const WIDTH = 320;
const HEIGHT = 120;

export function BarChart({
  title,
  unit,
  points,
}: {
  title: string;
  unit: string;
  points: readonly RunPoint[];
}) {
  const max = Math.max(...points.map((p) => p.value), 1);
  const step = WIDTH / Math.max(points.length, 1);
  const bar = Math.max(Math.min(step * 0.7, 40), 2);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + 16}`} role="img" aria-label={`${title}: ${points.length} runs`}>
        <line x1="0" y1={HEIGHT} x2={WIDTH} y2={HEIGHT} class="axis" />
        {points.map((p, i) => {
          const h = Math.max((p.value / max) * (HEIGHT - 14), 1);
          const x = i * step + (step - bar) / 2;
          return (
            <g key={p.label}>
              <rect x={x} y={HEIGHT - h} width={bar} height={h} class="bar">
                <title>{`${shortTime(p.label)}: ${p.value.toLocaleString("en-US")} ${unit}`}</title>
              </rect>
            </g>
          );
        })}
        <text x="0" y="10" class="tick">
          {max.toLocaleString("en-US")} {unit}
        </text>
        {points.length > 0 && (
          <text x="0" y={HEIGHT + 13} class="tick">
            {shortTime(points[0]!.label)}
          </text>
        )}
      </svg>
    </figure>
  );
}
