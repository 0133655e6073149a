// Node-only entry point: 'recurrent/node'.
export { writeFileAtomic, readFileBounded, saveCheckpoint, loadCheckpoint, saveModule, loadModule, configPathFor } from './files.js';
export { mobyDick, usBirthsCsvPath } from './datasets.js';
export { lineChartSVG, type Series, type LineChartOptions } from './plot.js';
