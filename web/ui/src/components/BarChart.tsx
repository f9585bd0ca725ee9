// A bar chart on uPlot (a ~50 kB canvas library, fast on a cheap tablet), always drawn beside a
// table of the same numbers: the chart is for looking, the table for reading and for screen
// readers (the canvas is hidden from them).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

interface Props {
  title: string;
  labels: string[];
  values: number[];
  previous?: number[]; // the period before, in the table only
  testId: string;
}

const kHeight = 180;

export function BarChart({ title, labels, values, previous, testId }: Props) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(240, el.clientWidth);
    const x = labels.map((_, i) => i);
    // The page's own text colour for the axes, so the chart reads on the dark theme too.
    const ink = getComputedStyle(el).color || '#000';
    const grid = { stroke: 'rgba(128, 128, 128, 0.25)', width: 1 };
    const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.7, 48] }) : undefined;
    const plot = new uPlot(
      {
        width: width(),
        height: kHeight,
        legend: { show: false },
        cursor: { show: false },
        // An empty chart (a venue with no cases yet) keeps a unit-wide x range: uPlot spins
        // forever laying out ticks over a range of zero width.
        scales: {
          x: { time: false, range: [-0.5, Math.max(1, labels.length) - 0.5] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
        },
        axes: [
          {
            values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? labels[i] ?? '' : '')),
            gap: 4,
            size: 36,
            stroke: ink,
            grid,
          },
          { size: 36, stroke: ink, grid, values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) },
        ],
        series: [{}, { label: title, fill: '#2f6fde', stroke: '#2f6fde', paths: bars, points: { show: false } }],
      },
      [x, values],
      el,
    );
    plot.root.setAttribute('aria-hidden', 'true');
    const resize = () => plot.setSize({ width: width(), height: kHeight });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [labels, values, title]);

  return (
    <figure class="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div class="chart-body">
        <div class="chart-canvas" ref={box} />
        <table class="chart-table">
          <thead>
            <tr>
              <th scope="col">{title}</th>
              <th scope="col">Cases</th>
              {previous && <th scope="col">Before</th>}
            </tr>
          </thead>
          <tbody>
            {labels.map((l, i) =>
              values[i] || previous?.[i] ? (
                <tr key={l}>
                  <th scope="row">{l}</th>
                  <td>{values[i]}</td>
                  {previous && <td>{previous[i] ?? 0}</td>}
                </tr>
              ) : null,
            )}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
