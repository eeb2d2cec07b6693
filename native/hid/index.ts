/** native/hid: HID-POS bar code scanners over node-hid, behind a small interface (ARCHITECTURE.md §2). */
export { HidOpenError, type HidBackend, type HidDeviceHandle, type HidDeviceInfo } from './backend';
export { NodeHidBackend, openFailureReason } from './node-hid-backend';
export { HidPosReassembler, stripTrailingCr, type AssembledScan, type ReassemblyEvent } from './reassembler';
export { deviceInfoOf, HidRecorder, parseRecording, RECORDING_FORMAT, type HidRecording, type RecordedDevice, type RecordedEvent } from './recording';
export { CompositeHidBackend, ReplayHidBackend } from './replay-backend';
export { encodeHidPosReports, HID_POS_SCANNER_USAGES, HID_POS_USAGE_PAGE, parseHidPosReport, SCANNED_DATA_REPORT_ID, type HidPosReport } from './report';
export { HID_POS_MODE_FEATURE, HidPosWatcher, isHidPosScanner, type HidPosEvent, type HidPosWatcherOptions, type HidScannerSnapshot, type HidScannerState } from './watcher';
