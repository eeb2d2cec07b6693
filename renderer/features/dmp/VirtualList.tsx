/** A fixed-row-height virtualised list: only the rows in view (plus overscan) are in the DOM. */
import { useRef, useState, type ReactNode } from 'react';
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
  const [scrollTop, setScrollTop] = useState(0);
  const ref = useRef<HTMLDivElement>(null);
  const { start, end } = visibleRange(rows.length, rowHeight, height, scrollTop);
  return (
    <div
      ref={ref}
      className="dmp-virtual"
      role="list"
      aria-label={label}
      data-testid={testId}
      data-total={rows.length}
      style={{ height, overflowY: 'auto', position: 'relative' }}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div style={{ height: rows.length * rowHeight, position: 'relative' }}>
        {rows.slice(start, end).map((row, i) => (
          <div key={rowKey(row)} role="listitem" className="dmp-virtual-row" style={{ position: 'absolute', top: (start + i) * rowHeight, left: 0, right: 0, height: rowHeight }}>
            {renderRow(row, start + i)}
          </div>
        ))}
      </div>
    </div>
  );
}
