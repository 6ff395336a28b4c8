/** Feishu error codes that mean a chat or person can no longer be reached, with what to tell the admins. */
export const UNREACHABLE_REASONS: Record<number, string> = {
  230002: '机器人不在该群中',
  230013: '对方不在应用的可用范围内',
  230029: '对方已离职',
  230034: '接收者 ID 无效',
  230035: '没有发言权限（群被禁言或机器人被屏蔽）',
  230038: '不能跨租户私聊',
  230053: '对方已屏蔽机器人的消息',
  232009: '群已解散',
};
