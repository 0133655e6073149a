// Node-only entry point: 'recurrent/node'.
export { writeFileAtomic, readFileBounded, saveCheckpoint, loadCheckpoint, saveModule, loadModule, configPathFor } from './files.js';
export { mobyDick, usBirthsCsvPath, cmudict, firstNames } from './datasets.js';
export { lineChartSVG, heatmapSVG, type Series, type LineChartOptions, type HeatmapPanel } from './plot.js';
