import { nested } from '../embedded/shell-text.js';
import type { UserDataExtractor } from '../embedded/user-data.js';
import { cloudConfigPieces, isCloudConfigText } from './cloud-config.js';

/**
 * Cloud-config user data inside Terraform, CloudFormation and other hosts: the pieces are found in
 * the decoded user data and composed with it, so findings land on the host's lines and fixes get
 * both the YAML escaping and the host's. A cloud-config with no shell in it yields no pieces (and is
 * not then read as a shell script).
 */
export const cloudConfigUserData: UserDataExtractor = (userData) => {
  if (!isCloudConfigText(userData.text)) return undefined;
  return cloudConfigPieces(userData.text, userData.context).pieces.map((inner) => nested(userData, inner));
};
