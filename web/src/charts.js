// ECharts with only the charts and components the pages use (keeps the bundle lean).
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, RadarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, TitleComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, RadarChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, CanvasRenderer]);

/** A chart in `el` that resizes with the window; returns the instance. */
export function chart(el, theme) {
  const c = echarts.init(el, theme, { renderer: 'canvas' });
  const ro = new ResizeObserver(() => c.resize());
  ro.observe(el);
  c.__ro = ro;
  return c;
}
export function disposeChart(c) {
  c?.__ro?.disconnect();
  c?.dispose();
}
export { echarts };
