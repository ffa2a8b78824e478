import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/**
 * A bar chart (Chart.js) with its numbers beside it in a table: the canvas is a picture, so the table is what
 * screen readers and tests read, and `data-series` carries exactly what was drawn.
 */
export function BarChart(props: { title: string; labels: string[]; values: number[]; unit: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return undefined;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: props.labels,
        datasets: [{ label: props.unit, data: props.values, backgroundColor: '#1f5fbf' }],
      },
      options: {
        animation: false,
        responsive: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    return () => chart.destroy();
  }, [props.labels.join('|'), props.values.join('|')]);
  return (
    <figure class="chart">
      <canvas
        ref={canvas}
        width={520}
        height={240}
        role="img"
        aria-label={`${props.title}: ${props.labels.map((label, index) => `${label} ${props.values[index]}`).join(', ')}`}
        data-series={JSON.stringify(
          Object.fromEntries(props.labels.map((label, index) => [label, props.values[index]])),
        )}
      />
      <figcaption>{props.title}</figcaption>
      <table>
        <thead>
          <tr>
            <th scope="col">{props.title}</th>
            <th scope="col">{props.unit}</th>
          </tr>
        </thead>
        <tbody>
          {props.labels.map((label, index) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{props.values[index]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
