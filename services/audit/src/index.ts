export { auditConfigSchema, type AuditConfig } from './config.js';
export { Checkpointer, type CheckpointerOptions } from './checkpointer.js';
