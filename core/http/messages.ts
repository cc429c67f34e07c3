// The Chinese texts of problem+json answers (English ones are written where each error is raised
// and stay as they are). Looked up by the problem's stable `code`, falling back to its HTTP status,
// so an error without its own text still reads as plain Chinese and never as developer wording or
// an internal id. docs/api.md lists the codes.
import { CITIES } from '../domain/cities.ts';

/** Problem titles by status. */
export const ZH_TITLES: Record<number, string> = {
  400: '请求有误',
  401: '需要登录',
  403: '没有权限',
  404: '未找到',
  405: '不支持此操作',
  409: '状态冲突',
  410: '已失效',
  413: '内容过大',
  415: '不支持的内容类型',
  422: '无法处理',
  429: '请求过于频繁',
  500: '服务出错',
  502: '上游服务出错',
  503: '服务暂不可用',
  504: '上游服务超时',
};

/** Problem details by code; `{{name}}` takes a value from the problem (see localise in problem.ts). */
export const ZH_DETAILS: Record<string, string> = {
  invalid_request: '请求内容有误，请检查后重试。',
  // Field paths are for programs (`errors[].field`); a person reads each field's own message.
  validation_failed: '填写的内容有误，请检查后重试。',
  unauthorized: '请先登录后再试。',
  sign_in_required: '请先登录后再试。',
  invalid_token: '登录已失效，请重新登录。',
  api_key_required: '此接口需要对接方密钥。',
  unknown_api_key: '对接方密钥无效。',
  forbidden: '您没有执行此操作的权限。',
  staff_only: '此操作仅限工作人员。',
  not_found: '您要找的内容不存在或已被删除。',
  route_not_found: '没有这个地址。',
  method_not_allowed: '此地址不支持该操作。',
  conflict: '当前状态不允许此操作，请刷新后再试。',
  gone: '此内容已失效。',
  too_large: '提交的内容过大。',
  unsupported_media_type: '不支持此内容类型。',
  unsupported_photo: '照片须为 JPEG、PNG 或 WebP 格式。',
  unprocessable: '请求无法处理，请检查后重试。',
  outside_service_area: '所选位置不在服务范围内（深圳、广州、佛山）。',
  incident_transition: '此事件当前状态不能变更为所选状态。',
  idempotency_key_invalid: 'Idempotency-Key 须为 1 至 255 个可见 ASCII 字符。',
  idempotency_key_reused: '此 Idempotency-Key 已用于另一请求。',
  idempotency_in_flight: '相同的请求正在处理中，请稍后再试。',
  rate_limited: '请求过于频繁，请稍后再试。',
  internal_error: '服务出现意外错误，请稍后再试。如需帮助，请提供请求编号 {{requestId}}。',
  unavailable: '服务暂时不可用，请稍后再试。',
};

/** Codes a status falls back to when the error gave none of its own. */
export const STATUS_CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  410: 'gone',
  413: 'too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  500: 'internal_error',
  503: 'unavailable',
};

/** Field messages by code: zod's issue codes plus the codes custom checks give (`params.code`). */
export function zhFieldMessage(code: string, vars: Record<string, unknown>): string {
  const origin = vars.origin;
  const n = (k: string) => String(vars[k]);
  switch (code) {
    case 'too_small':
      if (origin === 'string') return Number(vars.minimum) <= 1 ? '不能为空' : `至少 ${n('minimum')} 个字`;
      if (origin === 'array' || origin === 'set') return `至少 ${n('minimum')} 项`;
      return `不能小于 ${n('minimum')}`;
    case 'too_big':
      if (origin === 'string') return `最多 ${n('maximum')} 个字`;
      if (origin === 'array' || origin === 'set') return `最多 ${n('maximum')} 项`;
      return `不能大于 ${n('maximum')}`;
    case 'too_short':
      return `至少 ${n('minimum')} 个字`;
    case 'invalid_type':
      return '缺少此项或格式不对';
    case 'invalid_format':
      return vars.format === 'email' ? '请填写有效的电子邮件地址' : '格式不正确';
    case 'invalid_value':
      return '不是可选的值';
    case 'unrecognized_keys':
      return '包含不支持的字段';
    case 'phone_format':
      return '请填写有效的电话号码';
    case 'contact_required':
      return '请留下电话或电子邮件，以便警方联系您';
    case 'outside_service_area':
      return '不在服务范围内';
    case 'outside_city': {
      const city = CITIES.find((c) => c.id === vars.city)?.name.zh ?? n('city');
      return `距${city}市中心 ${n('km')} 公里；${city}的地点应在 ${n('radius')} 公里以内`;
    }
    case 'nul_byte':
      return '不能包含空字符';
    default:
      return '填写有误';
  }
}
