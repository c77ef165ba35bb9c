import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import schema from './achievementcredential.schema.json' with { type: 'json' };

/**
 * The 1EdTech Open Badges 3.0 AchievementCredential JSON Schema (draft 2019-09, JSON-LD flavour, descriptions
 * removed), shipped in this folder. OPEN-BADGES.md: every credential is validated against it before signing
 * and in verification. It wants `type`s as arrays, `image`s as objects and `proof` as an array.
 */

// ajv-formats is CommonJS: its default import is `module.exports`, whose `default` property is the plugin.
const addFormats = addFormatsModule.default;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

export type SchemaCheck = { ok: true } | { ok: false; errors: string[] };

/** At most this many errors are reported: enough to fix a credential, bounded for hostile input. */
const MAX_ERRORS = 10;

export function validateAchievementCredential(document: unknown): SchemaCheck {
  const validate = validator();
  if (validate(document)) return { ok: true };
  const errors = (validate.errors ?? [])
    .slice(0, MAX_ERRORS)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  return { ok: false, errors };
}
