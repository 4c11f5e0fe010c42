/** Dependency-free SVG plots of fitted mixtures and model-selection results (strings; no DOM needed). */
export { mixtureSvg, type MixturePlotOptions } from './mixture.js';
export { selectionSvg, type SelectionPlotOptions } from './selection.js';
