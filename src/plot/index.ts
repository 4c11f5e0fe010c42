/** Dependency-free SVG plots of fitted mixtures (scatter, pairs) and model-selection results (strings; no DOM needed). */
export { mixtureSvg, type MixturePlotOptions } from './mixture.js';
export { selectionSvg, type SelectionPlotOptions } from './selection.js';
export { pairsSvg, type PairsPlotOptions } from './pairs.js';
