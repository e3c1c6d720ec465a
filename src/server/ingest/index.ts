/** Ingestion body parsers (SPEC §7): pure functions from a request body to samples or errors. */
export { formatIngestError, formatIngestErrors, type IngestError, type IngestErrorCode, type IngestResult } from './errors.js';
export { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.js';
export { parseLineProtocol, type LineProtocolOptions } from './line-protocol.js';
export { parsePrecision, PRECISIONS, type Precision } from './line-protocol-numbers.js';
export { parseSamplesBody, samplesBodyFormat, type SamplesBodyFormat, type SamplesBodyOptions } from './samples-body.js';
