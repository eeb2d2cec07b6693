/**
 * The page's entry: index.html already holds the desk's frame (pre-rendered shell, inlined styles);
 * it paints first, and the application's code (React, the bridge, the screens) is evaluated in the
 * task after that first frame. Evaluating it as soon as it arrives would hold the first paint
 * behind ~100 ms of script on a modest machine (bench/startup.bench.ts). Its download starts at
 * once all the same (a `modulepreload` link added by renderer/startup-shell.plugin.ts).
 */
requestAnimationFrame(() => {
  setTimeout(() => void import('./main'), 0);
});
