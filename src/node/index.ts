// Node-only entry point: 'recurrent/node'.
export { writeFileAtomic, readFileBounded, saveCheckpoint, loadCheckpoint } from './files.js';
export { mobyDick } from './datasets.js';
