/** HTTP access for channels: the undici client, credentials, mirrors, saving downloads. */
export { HttpClient, defaultHttpClient, type HttpClientOptions, type HttpResponse, type GetOptions } from './http-client.js';
export { CredentialStore, defaultCredentials, rememberChannelCredentials, type Credential, type AuthorizedRequest } from './credentials.js';
export { candidateUrls, type MirrorMap } from './mirrors.js';
export { isBrokenTransfer, saveResponse, type DownloadProgress, type SaveOptions } from './save-response.js';
