//! The points shop (R19) and its fund (R20): the villager's shop and orders under `/api/v1/me/…`,
//! the village admin's items, orders, hand-over and fund under `/api/v1/admin/…`.

use aidazu_app::funds::Area;
use aidazu_domain::{OrderId, ShopItemId, VillageId};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::{Json, Router};

use crate::dto::shop::{
    AdminCancelRequest, DeliverRequest, FundEntryDto, FundEntryListDto, FundEntryRequest,
    FundReportDto, FundRollupDto, HandoverRequest, ItemPatchRequest, MAX_ORDER_QUANTITY, MyShopDto,
    NewItemRequest, NewOrderRequest, OrderChangeDto, OrderDto, OrderListDto, OrdersQuery,
    PeriodQuery, RollupQuery, ShopItemDto, ShopItemListDto,
};
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/me/shop/items", get(my_shop))
        .route("/api/v1/me/orders", get(my_orders).post(place_order))
        .route("/api/v1/me/orders/{id}/cancel", post(cancel_my_order))
        .route("/api/v1/me/orders/{id}/confirm", post(confirm_my_order))
        .route("/api/v1/me/orders/{id}/qr.svg", get(order_qr))
        .route(
            "/api/v1/admin/villages/{id}/shop/items",
            get(admin_items).post(create_item),
        )
        .route("/api/v1/admin/shop/items/{id}", patch(update_item))
        .route("/api/v1/admin/villages/{id}/orders", get(admin_orders))
        .route(
            "/api/v1/admin/villages/{id}/orders/handover",
            post(handover_by_code),
        )
        .route("/api/v1/admin/orders/{id}/cancel", post(admin_cancel_order))
        .route("/api/v1/admin/orders/{id}/deliver", post(deliver_order))
        .route(
            "/api/v1/admin/orders/{id}/confirm",
            post(admin_confirm_order),
        )
        .route(
            "/api/v1/admin/villages/{id}/funds/entries",
            get(fund_entries).post(add_fund_entry),
        )
        .route("/api/v1/admin/villages/{id}/funds/report", get(fund_report))
        .route(
            "/api/v1/admin/villages/{id}/funds/entries.xlsx",
            get(fund_entries_xlsx),
        )
        .route("/api/v1/admin/villages/{id}/orders.xlsx", get(orders_xlsx))
        .route("/api/v1/admin/funds/report", get(fund_rollup))
}

/// An Excel download.
fn xlsx(bytes: Vec<u8>, filename: &str) -> Response {
    crate::download::file(
        bytes,
        crate::download::XLSX,
        filename,
        crate::download::Disposition::Attachment,
    )
}

/// The fund ledger of a village as an Excel workbook.
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/funds/entries.xlsx", tag = "shop",
    params(("id" = i64, Path, description = "village id"), PeriodQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "资金台账（Excel）", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "日期格式无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn fund_entries_xlsx(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Response, ApiError> {
    let bytes = state
        .app
        .fund_ledger_xlsx(&actor, VillageId(id), q.from, q.to)
        .await?;
    Ok(xlsx(bytes, &format!("village-{id}-fund.xlsx")))
}

/// A village's orders as an Excel workbook (village admin).
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/orders.xlsx", tag = "shop",
    params(("id" = i64, Path, description = "village id"), OrdersQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "兑换订单（Excel）", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "查询参数无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权管理积分超市", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn orders_xlsx(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<OrdersQuery>,
) -> Result<Response, ApiError> {
    let bytes = state
        .app
        .orders_xlsx(&actor, VillageId(id), q.status.map(|s| s.as_str()))
        .await?;
    Ok(xlsx(bytes, &format!("village-{id}-orders.xlsx")))
}

/// The fund reports of the villages of a town or of the district, with their sum (town and
/// district officers).
#[utoipa::path(get, path = "/api/v1/admin/funds/report", tag = "shop",
    params(RollupQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "镇街或区的资金汇总", body = FundRollupDto),
        (status = 400, description = "查询参数无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 422, description = "须指定 townId 或 districtId 之一；开始日期晚于结束日期", body = crate::error::ErrorBody),
    ))]
pub async fn fund_rollup(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<RollupQuery>,
) -> Result<Json<FundRollupDto>, ApiError> {
    let area = match (q.town_id, q.district_id) {
        (Some(t), None) => Area::Town(aidazu_domain::TownId(t)),
        (None, Some(d)) => Area::District(aidazu_domain::DistrictId(d)),
        _ => {
            return Err(aidazu_app::AppError::InvalidField {
                field: "townId",
                message: "须指定 townId 或 districtId 之一",
            }
            .into());
        }
    };
    Ok(Json(
        state
            .app
            .fund_rollup(&actor, area, q.from, q.to)
            .await?
            .into(),
    ))
}

/// The villager's shop: the household's balance beside the items in stock (paused items hidden).
#[utoipa::path(get, path = "/api/v1/me/shop/items", tag = "shop",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "可兑换商品与本户可用积分", body = MyShopDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "账号未绑定农户（me.no_household）", body = crate::error::ErrorBody),
    ))]
pub async fn my_shop(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
) -> Result<Json<MyShopDto>, ApiError> {
    Ok(Json(state.app.my_shop(&actor).await?.into()))
}

/// Orders an item (R19): the balance and the stock drop at once; the order gets a six-digit
/// pick-up code and a delivery deadline (2 days for daily goods, 7 for electronics). The orderer
/// may cancel by themselves for 10 minutes.
#[utoipa::path(post, path = "/api/v1/me/orders", tag = "shop",
    request_body = NewOrderRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已下单", body = OrderDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "商品不存在或不属于本村（shop.item_not_found）", body = crate::error::ErrorBody),
        (status = 409, description = "库存不足（shop.out_of_stock）或商品已暂停（shop.item_paused）", body = crate::error::ErrorBody),
        (status = 422, description = "数量无效、超出每户限兑（shop.limit_exceeded）或积分不足（ledger.insufficient_balance）", body = crate::error::ErrorBody),
    ))]
pub async fn place_order(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiJson(body): ApiJson<NewOrderRequest>,
) -> Result<(StatusCode, Json<OrderDto>), ApiError> {
    if body.quantity > MAX_ORDER_QUANTITY {
        return Err(aidazu_app::AppError::InvalidField {
            field: "quantity",
            message: "每次兑换数量为 1–99 件",
        }
        .into());
    }
    let order = state
        .app
        .place_order(&actor, ShopItemId(body.item_id), body.quantity)
        .await?;
    Ok((StatusCode::CREATED, Json(order.into())))
}

/// The pick-up code of one of the household's orders as a QR code (SVG) to show at the counter.
#[utoipa::path(get, path = "/api/v1/me/orders/{id}/qr.svg", tag = "shop",
    params(("id" = i64, Path, description = "order id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "取货码二维码（SVG）", content_type = "image/svg+xml", body = String),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "订单不存在", body = crate::error::ErrorBody),
    ))]
pub async fn order_qr(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let order = state.app.my_order(&actor, OrderId(id)).await?;
    crate::qr::svg_response(&order.pickup_code, "private, max-age=3600")
}

/// The household's orders, newest first.
#[utoipa::path(get, path = "/api/v1/me/orders", tag = "shop",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本户订单", body = OrderListDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "账号未绑定农户", body = crate::error::ErrorBody),
    ))]
pub async fn my_orders(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
) -> Result<Json<OrderListDto>, ApiError> {
    let items = state.app.my_orders(&actor).await?;
    Ok(Json(OrderListDto {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// The orderer cancels within 10 minutes of ordering: the points come back (a refund entry) and
/// the goods go back on the shelf. Cancelling again changes nothing.
#[utoipa::path(post, path = "/api/v1/me/orders/{id}/cancel", tag = "shop",
    params(("id" = i64, Path, description = "order id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已取消（或早已取消）", body = OrderChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "不是下单人（shop.not_orderer）", body = crate::error::ErrorBody),
        (status = 404, description = "订单不存在", body = crate::error::ErrorBody),
        (status = 409, description = "超过 10 分钟（shop.cancel_window_passed）或已交付（shop.already_delivered）", body = crate::error::ErrorBody),
    ))]
pub async fn cancel_my_order(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OrderChangeDto>, ApiError> {
    Ok(Json(
        state.app.cancel_my_order(&actor, OrderId(id)).await?.into(),
    ))
}

/// The orderer confirms receipt.
#[utoipa::path(post, path = "/api/v1/me/orders/{id}/confirm", tag = "shop",
    params(("id" = i64, Path, description = "order id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已确认收货", body = OrderChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "不是下单人（shop.not_orderer）", body = crate::error::ErrorBody),
        (status = 404, description = "订单不存在", body = crate::error::ErrorBody),
        (status = 409, description = "订单已取消（shop.order_cancelled）", body = crate::error::ErrorBody),
    ))]
pub async fn confirm_my_order(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OrderChangeDto>, ApiError> {
    Ok(Json(
        state
            .app
            .confirm_my_order(&actor, OrderId(id))
            .await?
            .into(),
    ))
}

/// Every item of a village shop, paused ones too (village admin).
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/shop/items", tag = "shop",
    params(("id" = i64, Path, description = "village id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "商品列表", body = ShopItemListDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权管理积分超市", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn admin_items(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ShopItemListDto>, ApiError> {
    let items = state
        .app
        .shop_items_for_admin(&actor, VillageId(id))
        .await?;
    Ok(Json(ShopItemListDto {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Puts an item on the village shop's shelf (village admin).
#[utoipa::path(post, path = "/api/v1/admin/villages/{id}/shop/items", tag = "shop",
    params(("id" = i64, Path, description = "village id")),
    request_body = NewItemRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已上架", body = ShopItemDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权管理积分超市", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "名称、价格（shop.invalid_price）、库存、限兑数量或照片无效", body = crate::error::ErrorBody),
    ))]
pub async fn create_item(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewItemRequest>,
) -> Result<(StatusCode, Json<ShopItemDto>), ApiError> {
    let input = body.into_input()?;
    let item = state
        .app
        .create_shop_item(&actor, VillageId(id), input)
        .await?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// Changes an item: price, stock, limit, pause, name or photo (village admin).
#[utoipa::path(patch, path = "/api/v1/admin/shop/items/{id}", tag = "shop",
    params(("id" = i64, Path, description = "item id")),
    request_body = ItemPatchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已修改", body = ShopItemDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权管理积分超市", body = crate::error::ErrorBody),
        (status = 404, description = "商品不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "名称、价格、库存、限兑数量或照片无效", body = crate::error::ErrorBody),
    ))]
pub async fn update_item(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ItemPatchRequest>,
) -> Result<Json<ShopItemDto>, ApiError> {
    let patch = body.into_patch()?;
    let item = state
        .app
        .update_shop_item(&actor, ShopItemId(id), patch)
        .await?;
    Ok(Json(item.into()))
}

/// A village's orders, newest first, optionally in one state (village admin).
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/orders", tag = "shop",
    params(("id" = i64, Path, description = "village id"), OrdersQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "订单列表", body = OrderListDto),
        (status = 400, description = "查询参数无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权管理积分超市", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn admin_orders(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<OrdersQuery>,
) -> Result<Json<OrderListDto>, ApiError> {
    let items = state
        .app
        .village_orders(&actor, VillageId(id), q.status.map(|s| s.as_str()))
        .await?;
    Ok(Json(OrderListDto {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Hands an order over by the pick-up code the villager shows (village admin).
#[utoipa::path(post, path = "/api/v1/admin/villages/{id}/orders/handover", tag = "shop",
    params(("id" = i64, Path, description = "village id")),
    request_body = HandoverRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已交付（或早已交付）", body = OrderChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权管理积分超市", body = crate::error::ErrorBody),
        (status = 404, description = "取货码不存在（shop.order_not_found）", body = crate::error::ErrorBody),
        (status = 409, description = "订单已取消（shop.order_cancelled）", body = crate::error::ErrorBody),
        (status = 422, description = "照片不可用", body = crate::error::ErrorBody),
    ))]
pub async fn handover_by_code(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<HandoverRequest>,
) -> Result<Json<OrderChangeDto>, ApiError> {
    Ok(Json(
        state
            .app
            .deliver_by_pickup_code(&actor, VillageId(id), &body.pickup_code, body.photo_id)
            .await?
            .into(),
    ))
}

/// Cancels an order before delivery with a reason; the points come back and the member is told.
#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/cancel", tag = "shop",
    params(("id" = i64, Path, description = "order id")),
    request_body = AdminCancelRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已取消（或早已取消）", body = OrderChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权管理积分超市", body = crate::error::ErrorBody),
        (status = 404, description = "订单不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "订单已交付（shop.already_delivered）", body = crate::error::ErrorBody),
        (status = 422, description = "缺少理由", body = crate::error::ErrorBody),
    ))]
pub async fn admin_cancel_order(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AdminCancelRequest>,
) -> Result<Json<OrderChangeDto>, ApiError> {
    Ok(Json(
        state
            .app
            .cancel_order_as_admin(&actor, OrderId(id), &body.reason)
            .await?
            .into(),
    ))
}

/// Confirms the hand-over of an order (village admin), optionally with a photo.
#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/deliver", tag = "shop",
    params(("id" = i64, Path, description = "order id")),
    request_body = DeliverRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已交付（或早已交付）", body = OrderChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权管理积分超市", body = crate::error::ErrorBody),
        (status = 404, description = "订单不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "订单已取消", body = crate::error::ErrorBody),
        (status = 422, description = "照片不可用", body = crate::error::ErrorBody),
    ))]
pub async fn deliver_order(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DeliverRequest>,
) -> Result<Json<OrderChangeDto>, ApiError> {
    Ok(Json(
        state
            .app
            .deliver_order(&actor, OrderId(id), body.photo_id)
            .await?
            .into(),
    ))
}

/// Confirms receipt for a member without a phone (village admin).
#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/confirm", tag = "shop",
    params(("id" = i64, Path, description = "order id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已确认收货", body = OrderChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权管理积分超市", body = crate::error::ErrorBody),
        (status = 404, description = "订单不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "订单已取消", body = crate::error::ErrorBody),
    ))]
pub async fn admin_confirm_order(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OrderChangeDto>, ApiError> {
    Ok(Json(
        state
            .app
            .confirm_order_for_member(&actor, OrderId(id))
            .await?
            .into(),
    ))
}

/// Records money in or out of the village shop fund (village admin, R20).
#[utoipa::path(post, path = "/api/v1/admin/villages/{id}/funds/entries", tag = "shop",
    params(("id" = i64, Path, description = "village id")),
    request_body = FundEntryRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已记账", body = FundEntryDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权管理资金", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "缺少理由、金额方向不符（fund.wrong_sign）、缺少捐赠人或票据照片", body = crate::error::ErrorBody),
    ))]
pub async fn add_fund_entry(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<FundEntryRequest>,
) -> Result<(StatusCode, Json<FundEntryDto>), ApiError> {
    let (draft, occurred_on) = body.into_draft()?;
    let entry = state
        .app
        .add_fund_entry(&actor, VillageId(id), draft, occurred_on)
        .await?;
    Ok((StatusCode::CREATED, Json(entry.into())))
}

/// The fund ledger of a village (admins, committee, town and district).
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/funds/entries", tag = "shop",
    params(("id" = i64, Path, description = "village id"), PeriodQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "资金台账", body = FundEntryListDto),
        (status = 400, description = "日期格式无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn fund_entries(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<FundEntryListDto>, ApiError> {
    let items = state
        .app
        .fund_entries(&actor, VillageId(id), q.from, q.to)
        .await?;
    Ok(Json(FundEntryListDto {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// The fund report (R20): points issued and redeemed, money spent, the fund balance and the
/// outstanding points liability at the reference conversion (D8), with the alert when the
/// liability exceeds the fund.
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/funds/report", tag = "shop",
    params(("id" = i64, Path, description = "village id"), PeriodQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "资金报表", body = FundReportDto),
        (status = 400, description = "日期格式无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "开始日期晚于结束日期", body = crate::error::ErrorBody),
    ))]
pub async fn fund_report(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<FundReportDto>, ApiError> {
    Ok(Json(
        state
            .app
            .fund_report(&actor, VillageId(id), q.from, q.to)
            .await?
            .into(),
    ))
}
