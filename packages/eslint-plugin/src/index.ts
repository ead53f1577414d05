import noImdsv1Request from './rules/no-imdsv1-request.js';
import noInvalidImdsTokenRequest from './rules/no-invalid-imds-token-request.js';

export const rules = {
  'no-imdsv1-request': noImdsv1Request,
  'no-invalid-imds-token-request': noInvalidImdsTokenRequest,
};
