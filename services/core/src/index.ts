/**
 * @keep/core: what every Keep service shares. Import from here, never from the
 * files behind it.
 */
export { KeepError, isKeepError, messageOf, CORE_CODES, type CoreCode, type ReasonCode } from './errors.js';
export { canonicalJson } from './canonical-json.js';
export { redact, redactString, isSecretKey, REDACTED } from './redact.js';
export { writeFileAtomic, fsyncDir } from './atomic-write.js';
export { systemClock, type Clock } from './clock.js';
export { SERVICES, type ServiceEntry } from './services.js';
export { createLogger, type Logger, type LogLevel } from './log.js';

export { readEnv, ENV_DOCS, type KeepEnv } from './config/env.js';
export { configReference, type DocumentedSchema } from './config/config-reference.js';
export { loadConfig, loadYamlFile, type LoadedConfig } from './config/load-config.js';
export { serviceConfig, listenSchema, credentialsDirOf, type BaseServiceConfig } from './config/base-config.js';
export { parseListenAddress, formatListenAddress, type ListenAddress } from './config/listen-address.js';

export { openStore, assertSynchronousFull, synchronousSetting, type Store } from './store/open-store.js';
export { migrate, type Migration } from './store/migrate.js';

export { AUDIT_MIGRATIONS } from './audit/audit-schema.js';
export { hashAuditRow, macAuditRow, GENESIS_HASH, AUDIT_DECISIONS, type AuditRow, type AuditDecision } from './audit/audit-row.js';
export { AuditWriter, type AuditEvent, type AuditReceipt, type AuditWriterOptions } from './audit/append-audit.js';
export { signHead, verifyHeadSignature, keyIdOf, type SignedHead } from './audit/checkpoint-signature.js';
export { readHeadFile, writeHeadFile } from './audit/head-file.js';
export { writeCheckpoint } from './audit/write-checkpoint.js';
export { verifyAudit, verifyAuditInParallel, type VerifyAuditResult, type VerifyAuditOptions } from './audit/verify-audit.js';
export { storePath, headFilePath } from './audit/audit-paths.js';
export { readAuditRows, type AuditRowView } from './audit/read-audit-rows.js';

export { CREDENTIALS, AUDIT_WRITERS, credentialSpec, credentialFilesFor, type CredentialSpec, type Unit, type AuditWriterName } from './credentials/credential-table.js';
export { readCredential, readCredentialText, readHexKey } from './credentials/read-credential.js';
export { ensureCredentials, generateCredential, tokenDigest } from './credentials/generate-credentials.js';
export { loadMacKeys, loadSigningKey, publicKeyOf, loadTokenDigests } from './credentials/load-keys.js';

export { createServiceApp, type ServiceAppOptions, type ReadinessCheck } from './kit/create-service-app.js';
export { problemOf, sendProblem, type Problem } from './kit/problem.js';
export { requireScope, tokenGrants, type TokenDigests } from './kit/require-scope.js';
export { hostGuard } from './kit/host-guard.js';
export { parseInput } from './kit/parse-input.js';
export { listen, type Listening } from './kit/listen.js';
export { runService, type RunServiceOptions } from './kit/run-service.js';
export { runStoreService, startService, type StoreServiceOptions } from './kit/run-store-service.js';
export { createNotifier, type Notifier } from './kit/sd-notify.js';
export { callService, type ServiceRequest, type ServiceResponse } from './kit/service-client.js';
export { readEndpoints, writeEndpoints, endpointOf, applianceEndpoint, ENDPOINTS_FILE, type Endpoints } from './kit/endpoints.js';
export { generateSetupCode, normalizeSetupCode, setupCodeDigest, setupCodeMatches, setupCodePath, type SetupCode } from './credentials/setup-code.js';
export { runChatLoop, type ChatLoopOptions, type ChatLoopResult, type ApprovalRequest, type ServiceTarget } from './chat/run-chat-loop.js';
export { streamCompletion, type StreamedReply } from './chat/stream-completion.js';
export { BUILTIN_TOOL_DEFINITIONS, type ChatMessage, type ChatToolCall, type ChatToolDefinition, type ChatLoopEvent, type ToolCallAnswer } from './chat/chat-types.js';
export { AUDIT_QUEUE_FILE, auditQueuePath, queueAuditEvents, drainAuditQueue, type DrainResult, type QueueAuditOptions } from './audit/audit-queue.js';
