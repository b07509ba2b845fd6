export { connect, DeviceError, fetchHostKey, HostKeyError, type HostTrust, type SshTarget } from './connection.js'
export {
  Deployer,
  defaultRunnerPath,
  type DeployHooks,
  type DeployOptions,
  type DeploySample,
  type ModelSource,
  RUNNER_FILE,
} from './deployer.js'
export { generateKey, type HostKey, hostKeyOf, readPrivateKey } from './keys.js'
export { pairDevice, testDevice, type PairRequest } from './pairing.js'
export { type DeviceInfo, describeThrottled } from './probe.js'
export { shellCommand, shellQuote } from './shell-quote.js'
export { artifactOfDir, artifactOfFiles } from './upload.js'
