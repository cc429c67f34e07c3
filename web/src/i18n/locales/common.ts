// Words shared by every panel: the header, the language switch, generic states and errors.
export const common = {
  en: {
    appName: 'citystream',
    language: 'Language',
    languageNames: { 'zh-CN': '中文', en: 'English' },
    city: 'City',
    loading: 'Loading…',
    retry: 'Try again',
    close: 'Close',
    cancel: 'Cancel',
    save: 'Save',
    networkError: 'No connection. Check your network and try again.',
    serverError: 'The service is having trouble. Please try again in a moment.',
  },
  'zh-CN': {
    appName: '城市服务实时数据',
    language: '语言',
    languageNames: { 'zh-CN': '中文', en: 'English' },
    city: '城市',
    loading: '加载中…',
    retry: '重试',
    close: '关闭',
    cancel: '取消',
    save: '保存',
    networkError: '网络连接失败，请检查网络后重试。',
    serverError: '服务暂时出现问题，请稍后再试。',
  },
} as const;
