/**
 * The templates in force: user templates by name, then the presets. Defining a template compiles
 * it first; a template with errors is rejected and the previous one stays in force (SPEC §5), so
 * a bad save or reload never breaks delivery.
 */
import type { EventType } from '../model/event.js';
import type { Diagnostic, SourceOrigin } from '../parser/diagnostics.js';
import { compileSources, compileTemplate, type CompiledTemplate } from './compile.js';
import { isPresetName, PRESET_NAMES, presetTemplate } from './presets/index.js';
import type { TemplateSource } from './sources.js';

export interface DefineOptions {
  eventTypes?: readonly EventType[];
  file?: string;
  origin?: SourceOrigin;
}

export interface DefineResult {
  ok: boolean;
  diagnostics: readonly Diagnostic[];
  /** The new template when ok; otherwise the one still in force (or undefined). */
  template: CompiledTemplate | undefined;
}

function presetClash(name: string, file: string): Diagnostic {
  return {
    severity: 'error',
    code: 'template-name-is-preset',
    message: `'${name}' is the name of a built-in preset`,
    file,
    line: 1,
    column: 1,
    length: 1,
    hint: `choose another name; the presets are ${PRESET_NAMES.join(', ')}`,
  };
}

export class TemplateRegistry {
  private readonly templates = new Map<string, CompiledTemplate>();

  /** Compiles and, when it has no errors, installs `text` as template `name`. */
  define(name: string, text: string, options: DefineOptions = {}): DefineResult {
    const file = options.origin?.file ?? options.file ?? `templates/${name}.json`;
    if (isPresetName(name)) return { ok: false, diagnostics: [presetClash(name, file)], template: this.templates.get(name) };
    const compileOptions: Parameters<typeof compileTemplate>[1] = { name, file };
    if (options.eventTypes !== undefined) compileOptions.eventTypes = options.eventTypes;
    if (options.origin !== undefined) compileOptions.origin = options.origin;
    return this.install(compileTemplate(text, compileOptions));
  }

  /** Same, for a template given as sources (a YAML `body:`, see valueSource). */
  defineSources(name: string, sources: readonly TemplateSource[]): DefineResult {
    if (isPresetName(name)) return { ok: false, diagnostics: [presetClash(name, sources[0]?.origin.file ?? `templates/${name}.json`)], template: this.templates.get(name) };
    return this.install(compileSources(name, sources));
  }

  private install(template: CompiledTemplate): DefineResult {
    if (!template.ok) return { ok: false, diagnostics: template.diagnostics, template: this.templates.get(template.name) };
    this.templates.set(template.name, template);
    return { ok: true, diagnostics: template.diagnostics, template };
  }

  remove(name: string): boolean {
    return this.templates.delete(name);
  }

  /** A user template, else a preset. */
  get(name: string): CompiledTemplate | undefined {
    return this.templates.get(name) ?? presetTemplate(name);
  }

  has(name: string): boolean {
    return this.templates.has(name) || isPresetName(name);
  }

  /** Names of the user templates, sorted. */
  names(): string[] {
    return [...this.templates.keys()].sort();
  }
}
