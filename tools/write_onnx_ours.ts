// Writes ONNX models exported by this library (test/fixtures/onnx/ours_*.onnx) so that
// tools/gen_onnx_fixtures.py can run the ONNX checker over them. The test suite checks
// that the exporter still produces these exact bytes.
// Run: npm run fixtures:onnx
import { writeFileSync } from 'node:fs';
import { oursOnnxModels } from '../test/onnx/ours-models.js';

const dir = new URL('../test/fixtures/onnx/', import.meta.url);
for (const [name, bytes] of Object.entries(oursOnnxModels())) {
  writeFileSync(new URL(`ours_${name}.onnx`, dir), bytes);
  console.log('wrote', `ours_${name}.onnx`, bytes.length, 'bytes');
}
