// npm run test:browser [-- view …]: the explorer's browser tests (see docs/explorer.md).
import { runSpecs } from './harness.js';
import { useBackend } from './reference.js';
import { specs } from './views.spec.js';

await useBackend();
const ok = await runSpecs(specs, process.argv.slice(2));
process.exit(ok ? 0 : 1);
