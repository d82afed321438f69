// Loaded right before the Jupyter widget manager (vendor/html-manager/embed-amd.js) on pages
// with saved widget states; see nb_ipywidgets_js in _config.yml.
(function () {
  // The manager (an AMD module defined by embed-amd.js) loads its fonts from the folder that
  // require.js resolves its module name to, by default the page's folder; map the name to the
  // manager's own folder in this book, wherever the book is served from (a mirror, a file:// copy).
  window.require.config({
    paths: {
      "@jupyter-widgets/html-manager/dist": new URL("vendor/html-manager", document.currentScript.src).href,
    },
  });

  // ipywidgets 8 typesets widget labels with MathJax 2's API, MathJax.Hub.Queue(["Typeset", Hub, el]),
  // whenever a MathJax is on the page; the book runs MathJax 3, which has no Hub. Translate the
  // call once MathJax 3 has loaded (it is deferred, so it has by DOMContentLoaded; the manager
  // renders the widgets later, on the load event).
  document.addEventListener("DOMContentLoaded", function () {
    const mathjax = window.MathJax;
    if (!mathjax || !mathjax.startup || mathjax.Hub) {
      return;
    }
    mathjax.Hub = {
      Queue: function (job) {
        const element = job[2];
        return mathjax.startup.promise.then(function () {
          return mathjax.typesetPromise([element]);
        });
      },
    };
  });
})();
