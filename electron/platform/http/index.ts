/** platform/http — HTTPS client with mutual TLS, timeouts and outcome-aware errors. */
export {
  HttpClient,
  DEFAULT_TIMEOUTS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DMP_LPS_TLS,
  type HttpClientOptions,
  type HttpTimeouts,
  type HttpRequest,
  type HttpResponse,
  type HttpStreamResponse,
  type HttpTransport,
  type HttpBody,
  type HttpHeaders,
  type TlsClientOptions,
  type ClientCertificate,
} from './client';
export {
  TransportError,
  isTransportError,
  classifyTransportError,
  transportErrorFrom,
  httpStatusError,
  requestMayHaveArrived,
  type TransportPhase,
  type TransportErrorCode,
  type TransportClassification,
} from './errors';
