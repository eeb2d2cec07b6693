/**
 * The page's entry: index.html already holds the desk's frame (pre-rendered shell, inlined styles);
 * it paints first, and the application's code (React, the bridge, the screens) is fetched and
 * evaluated in the task after that first frame. Fetching it from the start (`modulepreload`) or
 * evaluating it as soon as it arrives held the first paint back by 20 to 40 ms on this kind of
 * machine (bench/startup.bench.ts); the local fetch after the frame costs the application less.
 */
requestAnimationFrame(() => {
  setTimeout(() => void import('./main'), 0);
});
