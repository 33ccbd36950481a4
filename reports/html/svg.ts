/**
 * Renders a Vega-Lite spec to a static SVG string at report time: compiled to Vega, run headless
 * (no canvas, no DOM, no network: the data are inline), and serialised by vega's SVG renderer,
 * which escapes every text and attribute value it writes.
 */
import type * as Vega from 'vega';
import type { Config, TopLevelSpec } from 'vega-lite';
import { trustedSvg, type Html } from './escape.ts';
import { CHART_FONT, textWidth } from './text-metrics.ts';

interface TextItem {
  readonly fontSize?: number;
  readonly fontWeight?: string | number;
}
interface TextMetrics {
  width: (item: TextItem, text: string) => number;
}

interface Libraries {
  readonly vega: typeof Vega;
  readonly compile: typeof import('vega-lite').compile;
}

let libraries: Promise<Libraries> | undefined;

/**
 * vega and vega-lite take about a second to import: loaded on the first chart, so that commands
 * that draw none do not pay for them.
 */
function load(): Promise<Libraries> {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => {
    // vega's documented override of its text measurement (vega-typings does not declare the object).
    const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;
    metrics.width = (item, text) => {
      const bold = item.fontWeight === 'bold' || (typeof item.fontWeight === 'number' && item.fontWeight >= 600);
      return textWidth(String(text ?? ''), item.fontSize ?? 11, bold);
    };
    return { vega, compile: vegaLite.compile };
  });
  return libraries;
}

/** Shared look of every chart: the page's font, a white background, light grid lines. */
export const CHART_CONFIG: Config = {
  font: CHART_FONT,
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 260 },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

export interface RenderOptions {
  /** Prefix of the ids the SVG defines (clip paths, gradients), unique within the page. */
  readonly idPrefix: string;
  /** Receives vega and vega-lite warnings (tests fail on them; the report ignores them). */
  readonly onWarning?: (message: string) => void;
}

function warningLogger(vega: typeof Vega, onWarning: ((message: string) => void) | undefined): Vega.LoggerInterface {
  return vega.logger(onWarning ? vega.Warn : vega.None, undefined, (_method, _level, args) => onWarning?.(args.map(String).join(' ')));
}

/**
 * Ids inside one SVG (clip paths, gradients) would clash with those of the page's other inline
 * SVGs, so each chart's ids and references get its own prefix.
 */
export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/(\s)id="([^"]+)"/g, (_m, space: string, id: string) => `${space}id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`);
}

export async function renderSvg(spec: TopLevelSpec, options: RenderOptions): Promise<Html> {
  const { vega, compile } = await load();
  const logger = warningLogger(vega, options.onWarning);
  const compiled = compile(spec, { config: CHART_CONFIG, logger }).spec;
  // vega numbers clip paths and gradients with process-wide counters: reset them so the same
  // report renders byte for byte the same whatever was rendered before in the process.
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    return trustedSvg(prefixIds(svg, options.idPrefix));
  } finally {
    view.finalize();
  }
}
