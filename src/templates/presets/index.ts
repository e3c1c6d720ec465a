/** The built-in presets (SPEC §5), compiled once on first use. */
import { sortDiagnostics } from '../../parser/diagnostics.js';
import { compileSources, type CompiledTemplate } from '../compile.js';
import { textSource } from '../sources.js';
import { alertmanager } from './alertmanager.js';
import { events } from './events.js';
import { flat } from './flat.js';
import { pagerduty } from './pagerduty.js';
import type { Preset } from './preset.js';
import { slack } from './slack.js';
import { teams } from './teams.js';
import { test } from './test.js';

export type { Preset, PresetSource } from './preset.js';

export const PRESETS: ReadonlyMap<string, Preset> = new Map([flat, alertmanager, slack, teams, pagerduty, events, test].map((p) => [p.name, p]));
export const PRESET_NAMES: readonly string[] = [...PRESETS.keys()];

const compiled = new Map<string, CompiledTemplate>();

export function isPresetName(name: string): boolean {
  return PRESETS.has(name);
}

/** The text of a preset body as `tocsin render` shows it and diagnostics point into it. */
export function presetText(body: unknown): string {
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** A compiled preset, or undefined for a name that is not one. Throws if a preset is broken (a tocsin bug). */
export function presetTemplate(name: string): CompiledTemplate | undefined {
  const preset = PRESETS.get(name);
  if (preset === undefined) return undefined;
  let template = compiled.get(name);
  if (template === undefined) {
    template = compileSources(
      name,
      preset.sources.map((source) => {
        const text = presetText(source.body);
        return textSource(text, source.eventTypes, { file: `<preset ${name}>`, text });
      }),
    );
    if (!template.ok) throw new Error(`preset '${name}' does not compile:\n${sortDiagnostics([...template.diagnostics]).map((d) => `${d.line}:${d.column} ${d.message}`).join('\n')}`);
    compiled.set(name, template);
  }
  return template;
}
