// In a page (bundle with esbuild or any bundler): score the rows of an .npy file the user picks
// with a model file served next to the page, entirely in the browser.
import { dataSync, tensor, tidy } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import { checkFinite, matrixFromNpy, parseNpy } from '@quadrix/io';
import { fromHost, parseModel, score } from '@quadrix/models';

const backend = cpuBackend();
const model = parseModel(await (await fetch('model.json')).text());
const params = fromHost(model.params, { backend });

const input = document.querySelector<HTMLInputElement>('input[type=file]')!;
input.onchange = async () => {
  const file = input.files![0]!;
  const x = checkFinite(matrixFromNpy(parseNpy(new Uint8Array(await file.arrayBuffer()), file.name)));
  const scores = tidy(() => dataSync(score(params, tensor(x.data, { backend, shape: [x.rows, x.cols] }), model.distance)));
  const worst = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!).slice(0, 5);
  document.querySelector('output')!.textContent = `most outlying rows: ${worst.join(', ')}`;
};
