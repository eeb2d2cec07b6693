/** native/pcsc: PC/SC behind a small interface (ARCHITECTURE.md §2). */
export { decodeResponse, encodeApdu, fromHex, readBinary, readBinarySfi, selectAid, selectFile, toHex, type CommandApdu, type ResponseApdu } from './apdu';
export type { PcscBackend, PcscBackendFactory, PcscBackendListener, PcscConnection, Protocol, ReaderStatus } from './backend';
export { CardChannel, type ChannelOptions } from './channel';
export { hexSw, isServiceLost, SCARD, ScardError, scardCodeOf, statusWordError, statusWordMeaning, SW, toCardError, type StatusWordMeaning } from './errors';
export { InProcessBackend, type VirtualCard } from './in-process-backend';
export { PcscliteBackend } from './pcsclite-backend';
export { PcscSupervisor, type PcscEvent, type PcscServiceState, type PcscSupervisorOptions, type ReaderSnapshot } from './supervisor';
