/** HTTP access for channels: the undici client, credentials, mirrors, certificates and proxies, saving downloads. */
export { HttpClient, defaultHttpClient, type HttpClientOptions, type HttpResponse, type GetOptions } from './http-client.js';
export { CredentialStore, defaultCredentials, rememberChannelCredentials, type Credential, type AuthorizedRequest } from './credentials.js';
export { candidateUrls, type MirrorMap } from './mirrors.js';
export { isBrokenTransfer, saveResponse, type DownloadProgress, type SaveOptions } from './save-response.js';
export {
  networkSettingsFromEnvironment,
  type NetworkSettings,
  type ProxySettings,
  type TlsSettings,
} from './network-settings.js';
