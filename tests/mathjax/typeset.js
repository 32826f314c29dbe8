// Typeset TeX with MathJax 3 (what GitHub and Jupyter use for Markdown maths) and report every error.
// Input on stdin: a JSON list of {"tex": "...", "display": true|false}.
// Output on stdout: a JSON list, for each input, null when it typeset cleanly or the error message.
// Packages: the TeX core with AMS, as GitHub enables them; an undefined macro is an error (noundefined
// is left out so that MathJax reports it instead of drawing it in red).
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {SVG} = require('mathjax-full/js/output/svg.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
require('mathjax-full/js/input/tex/base/BaseConfiguration.js');
require('mathjax-full/js/input/tex/ams/AmsConfiguration.js');
require('mathjax-full/js/input/tex/newcommand/NewcommandConfiguration.js');

let current = null;
const tex = new TeX({
  packages: ['base', 'ams', 'newcommand'],
  formatError(jax, error) { current = error.message; return jax.formatError(error); },
});
const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const html = mathjax.document('', {InputJax: tex, OutputJax: new SVG({fontCache: 'none'})});

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const items = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const results = items.map(({tex: source, display}) => {
    current = null;
    try {
      html.convert(source, {display});
    } catch (error) {
      current = String(error && error.message || error);
    }
    return current;
  });
  process.stdout.write(JSON.stringify(results));
});
