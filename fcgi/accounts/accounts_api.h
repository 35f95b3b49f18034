/*
 * accounts_api.h -- HTTP handlers for accounts: /api/v1/auth/... and /api/v1/admin/users.
 */
#ifndef ZM_API_AUTH_H
#define ZM_API_AUTH_H

#include "http.h"

int accounts_api_register(zm_req_t *r);
int accounts_api_verify_email(zm_req_t *r);
int accounts_api_resend_verification(zm_req_t *r);
int accounts_api_login(zm_req_t *r);
int accounts_api_refresh(zm_req_t *r);
int accounts_api_logout(zm_req_t *r);
int accounts_api_me(zm_req_t *r);
int accounts_api_me_update(zm_req_t *r);
int accounts_api_password_change(zm_req_t *r);
int accounts_api_password_reset(zm_req_t *r);
int accounts_api_password_reset_confirm(zm_req_t *r);
int accounts_api_admin_users(zm_req_t *r);
int accounts_api_admin_user_update(zm_req_t *r);

#endif
