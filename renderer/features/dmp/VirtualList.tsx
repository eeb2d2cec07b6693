/**
 * A fixed-row-height virtualised list: only the rows in view (plus overscan) are in the DOM.
 * Scrolling costs one React render only when the range of rows in view changes (not at every
 * pixel), rows are placed by `transform` (no layout of the others when one moves), and the list is
 * a containment boundary (`contain: strict`), so a scroll frame lays out and paints the list alone.
 * Rows come from `renderRow`: make it return memoised elements so that rows already in the DOM are
 * not rendered again (DmpPanel's DocumentRow).
 */
import { useCallback, useRef, useState, type ReactNode, type UIEvent } from 'react';
import { visibleRange } from './format';

export function VirtualList<T>({
  rows,
  rowHeight,
  height,
  rowKey,
  renderRow,
  label,
  testId,
}: {
  rows: readonly T[];
  rowHeight: number;
  height: number;
  rowKey(row: T): string;
  renderRow(row: T, index: number): ReactNode;
  label: string;
  testId?: string;
}) {
  const [range, setRange] = useState(() => visibleRange(rows.length, rowHeight, height, 0));
  // The last scroll position, kept from the scroll events (reading it while rendering would force a layout).
  const scrollTop = useRef(0);
  const onScroll = useCallback(
    (event: UIEvent<HTMLDivElement>) => {
      scrollTop.current = event.currentTarget.scrollTop;
      const next = visibleRange(rows.length, rowHeight, height, scrollTop.current);
      setRange((current) => (current.start === next.start && current.end === next.end ? current : next));
    },
    [rows.length, rowHeight, height],
  );
  // The rows or the viewport changed (a widened search, a filter): the range follows without a scroll event.
  const wanted = visibleRange(rows.length, rowHeight, height, scrollTop.current);
  const { start, end } = wanted.start === range.start && wanted.end === range.end ? range : wanted;
  return (
    <div
      className="dmp-virtual"
      role="list"
      aria-label={label}
      data-testid={testId}
      data-total={rows.length}
      style={{ height, overflowY: 'auto', position: 'relative' }}
      onScroll={onScroll}
    >
      <div className="dmp-virtual-inner" style={{ height: rows.length * rowHeight }}>
        {rows.slice(start, end).map((row, i) => (
          <div key={rowKey(row)} role="listitem" className="dmp-virtual-row" style={{ transform: `translateY(${(start + i) * rowHeight}px)`, height: rowHeight }}>
            {renderRow(row, start + i)}
          </div>
        ))}
      </div>
    </div>
  );
}
