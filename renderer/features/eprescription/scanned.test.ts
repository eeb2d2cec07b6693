/** The scan id left for the dispensation screen is taken once, and its listeners hear of a new one. */
import { describe, expect, it } from 'vitest';
import { onPendingDispensationScan, setPendingDispensationScan, takePendingDispensationScan } from './scanned';

describe('ordonnance scan waiting for the dispensation screen', () => {
  it('is taken once; the latest scan replaces an earlier one not yet taken', () => {
    expect(takePendingDispensationScan()).toBeNull();
    setPendingDispensationScan('scan-1');
    setPendingDispensationScan('scan-2');
    expect(takePendingDispensationScan()).toBe('scan-2');
    expect(takePendingDispensationScan()).toBeNull();
  });

  it('tells a mounted screen at once, until it unsubscribes', () => {
    const heard: Array<string | null> = [];
    const stop = onPendingDispensationScan(() => heard.push(takePendingDispensationScan()));
    setPendingDispensationScan('scan-3');
    stop();
    setPendingDispensationScan('scan-4');
    expect(heard).toEqual(['scan-3']);
    expect(takePendingDispensationScan()).toBe('scan-4');
  });
});
