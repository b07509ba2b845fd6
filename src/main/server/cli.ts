// `kindling`: the studio without a window. Every command (one file each in commands/) runs the same Studio object the UI
// talks to; this file assembles the usage text, names the commands and runs the one asked for.
// Exit codes: 0 when the command did its job (a skipped bad photo is reported, not fatal), 1 with a one-line reason
// when it could not, 2 for a command line that does not parse.
import { STUDIO_VERSION } from '../studio.js'
import { ANCHORS_USAGE, anchorsCommand } from './commands/anchors.js'
import { DEMO_USAGE, demoCommand } from './commands/demo.js'
import { DEPLOY_USAGE, deployCommand } from './commands/deploy.js'
import { DEVICES_USAGE, devicesCommand } from './commands/devices.js'
import { EVAL_USAGE, evalCommand } from './commands/eval.js'
import { exportCommand } from './commands/export.js'
import { EXPORT_MODEL_USAGE, exportModelCommand } from './commands/export-model.js'
import { IMPORT_USAGE, importCommand } from './commands/import.js'
import { KINDLE_USAGE, kindleCommand } from './commands/kindle.js'
import { LABELS_USAGE } from './label-options.js'
import { PREDICT_USAGE, predictCommand } from './commands/predict.js'
import { PRESETS_USAGE, presetsCommand } from './commands/presets.js'
import { RUNS_USAGE, runsCommand } from './commands/runs.js'
import { SERVE_USAGE, serveCommand } from './commands/serve.js'
import { STATUS_USAGE, statusCommand } from './commands/status.js'
import { TRAIN_USAGE, trainCommand } from './commands/train.js'
import { type Command, runCommand, UsageError } from './usage.js'

// LABELS_USAGE documents `import --labels` and `export` together.
const USAGE = `kindling ${STUDIO_VERSION} — Kindling Studio from the command line

${SERVE_USAGE}
${IMPORT_USAGE}
${STATUS_USAGE}
${DEMO_USAGE}
${LABELS_USAGE}
${KINDLE_USAGE}
${TRAIN_USAGE}
${RUNS_USAGE}
${PREDICT_USAGE}
${EXPORT_MODEL_USAGE}
${EVAL_USAGE}
${ANCHORS_USAGE}
${PRESETS_USAGE}
${DEVICES_USAGE}
${DEPLOY_USAGE}
  kindling help                                 this text`

const commands: Record<string, Command> = {
  serve: serveCommand,
  import: importCommand,
  status: statusCommand,
  demo: demoCommand,
  export: exportCommand,
  kindle: kindleCommand,
  train: trainCommand,
  runs: runsCommand,
  predict: predictCommand,
  'export-model': exportModelCommand,
  eval: evalCommand,
  anchors: anchorsCommand,
  presets: presetsCommand,
  devices: devicesCommand,
  deploy: deployCommand,
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || ['help', '--help', '-h'].includes(name)) {
    console.log(USAGE)
    return 0
  }
  const command: Command = Object.hasOwn(commands, name)
    ? commands[name]
    : async () => {
        throw new UsageError(`unknown command "${name}"`)
      }
  return runCommand(command, rest)
}
