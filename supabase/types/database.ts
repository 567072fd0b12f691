export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "campaign_documents": {
                  Row: {
                    "campaign_id": string,"created_at": string,"document_type": string,"file_ref": string,"id": string,"review_note": string | null,"reviewed_at": string | null,"reviewed_by": string | null,"status": Database["public"]['Enums']["document_status"],"uploaded_by": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "campaign_id": string,"created_at"?: string,"document_type": string,"file_ref": string,"id"?: string,"review_note"?: string | null,"reviewed_at"?: string | null,"reviewed_by"?: string | null,"status"?: Database["public"]['Enums']["document_status"],"uploaded_by"?: string | null
                  }
                  Update: {
                    "campaign_id"?: string,"created_at"?: string,"document_type"?: string,"file_ref"?: string,"id"?: string,"review_note"?: string | null,"reviewed_at"?: string | null,"reviewed_by"?: string | null,"status"?: Database["public"]['Enums']["document_status"],"uploaded_by"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "campaign_documents_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "campaign_documents_reviewed_by_fkey"
      columns: ["reviewed_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "campaign_documents_uploaded_by_fkey"
      columns: ["uploaded_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"campaign_edit_reviews": {
                  Row: {
                    "approved_cover": string | null,"approved_story": string | null,"approved_summary": string | null,"approved_title": string,"campaign_id": string,"decided_at": string | null,"decided_by": string | null,"edited_by": string | null,"editors": (string)[],"first_edited_at": string,"id": string,"last_edited_at": string,"reason": string | null,"status": Database["public"]['Enums']["edit_review_status"]
                  }
                  ComputedFields: never
                  Insert: {
                    "approved_cover"?: string | null,"approved_story"?: string | null,"approved_summary"?: string | null,"approved_title": string,"campaign_id": string,"decided_at"?: string | null,"decided_by"?: string | null,"edited_by"?: string | null,"editors"?: (string)[],"first_edited_at"?: string,"id"?: string,"last_edited_at"?: string,"reason"?: string | null,"status"?: Database["public"]['Enums']["edit_review_status"]
                  }
                  Update: {
                    "approved_cover"?: string | null,"approved_story"?: string | null,"approved_summary"?: string | null,"approved_title"?: string,"campaign_id"?: string,"decided_at"?: string | null,"decided_by"?: string | null,"edited_by"?: string | null,"editors"?: (string)[],"first_edited_at"?: string,"id"?: string,"last_edited_at"?: string,"reason"?: string | null,"status"?: Database["public"]['Enums']["edit_review_status"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "campaign_edit_reviews_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "campaign_edit_reviews_decided_by_fkey"
      columns: ["decided_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "campaign_edit_reviews_edited_by_fkey"
      columns: ["edited_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"campaign_invitations": {
                  Row: {
                    "accepted_by": string | null,"campaign_id": string,"created_at": string,"email": string,"expires_at": string,"id": string,"invited_by": string | null,"last_sent_at": string,"message": string | null,"responded_at": string | null,"role": Database["public"]['Enums']["invitation_role"],"send_count": number,"status": Database["public"]['Enums']["invitation_status"]
                  }
                  ComputedFields: never
                  Insert: {
                    "accepted_by"?: string | null,"campaign_id": string,"created_at"?: string,"email": string,"expires_at": string,"id"?: string,"invited_by"?: string | null,"last_sent_at"?: string,"message"?: string | null,"responded_at"?: string | null,"role": Database["public"]['Enums']["invitation_role"],"send_count"?: number,"status"?: Database["public"]['Enums']["invitation_status"]
                  }
                  Update: {
                    "accepted_by"?: string | null,"campaign_id"?: string,"created_at"?: string,"email"?: string,"expires_at"?: string,"id"?: string,"invited_by"?: string | null,"last_sent_at"?: string,"message"?: string | null,"responded_at"?: string | null,"role"?: Database["public"]['Enums']["invitation_role"],"send_count"?: number,"status"?: Database["public"]['Enums']["invitation_status"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "campaign_invitations_accepted_by_fkey"
      columns: ["accepted_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "campaign_invitations_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "campaign_invitations_invited_by_fkey"
      columns: ["invited_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"campaign_media": {
                  Row: {
                    "bytes": number | null,"campaign_id": string,"created_at": string,"duration": number | null,"height": number | null,"hidden": boolean,"id": string,"position": number,"public_id": string,"resource_type": Database["public"]['Enums']["media_type"],"width": number | null,"delivery_urls": Database["public"]['CompositeTypes']["delivery_urls"] | null
                  }
                  ComputedFields: "delivery_urls"
                  Insert: {
                    "bytes"?: number | null,"campaign_id": string,"created_at"?: string,"duration"?: number | null,"height"?: number | null,"hidden"?: boolean,"id"?: string,"position"?: number,"public_id": string,"resource_type": Database["public"]['Enums']["media_type"],"width"?: number | null
                  }
                  Update: {
                    "bytes"?: number | null,"campaign_id"?: string,"created_at"?: string,"duration"?: number | null,"height"?: number | null,"hidden"?: boolean,"id"?: string,"position"?: number,"public_id"?: string,"resource_type"?: Database["public"]['Enums']["media_type"],"width"?: number | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "campaign_media_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    }
                  ]
                },"campaign_members": {
                  Row: {
                    "added_at": string,"campaign_id": string,"is_treasurer": boolean,"role": Database["public"]['Enums']["member_role"],"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "added_at"?: string,"campaign_id": string,"is_treasurer"?: boolean,"role"?: Database["public"]['Enums']["member_role"],"user_id": string
                  }
                  Update: {
                    "added_at"?: string,"campaign_id"?: string,"is_treasurer"?: boolean,"role"?: Database["public"]['Enums']["member_role"],"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "campaign_members_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "campaign_members_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"campaign_organisations": {
                  Row: {
                    "campaign_id": string,"linked_at": string,"linked_by": string | null,"organisation_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "campaign_id": string,"linked_at"?: string,"linked_by"?: string | null,"organisation_id": string
                  }
                  Update: {
                    "campaign_id"?: string,"linked_at"?: string,"linked_by"?: string | null,"organisation_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "campaign_organisations_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: true
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "campaign_organisations_organisation_id_fkey"
      columns: ["organisation_id"]
isOneToOne: false
      referencedRelation: "organisations"
      referencedColumns: ["id"]
    }
                  ]
                },"campaign_status_history": {
                  Row: {
                    "actor_id": string | null,"campaign_id": string,"created_at": string,"from_status": Database["public"]['Enums']["campaign_status"] | null,"id": number,"reason": string | null,"to_status": Database["public"]['Enums']["campaign_status"]
                  }
                  ComputedFields: never
                  Insert: {
                    "actor_id"?: string | null,"campaign_id": string,"created_at"?: string,"from_status"?: Database["public"]['Enums']["campaign_status"] | null,"id"?: never,"reason"?: string | null,"to_status": Database["public"]['Enums']["campaign_status"]
                  }
                  Update: {
                    "actor_id"?: string | null,"campaign_id"?: string,"created_at"?: string,"from_status"?: Database["public"]['Enums']["campaign_status"] | null,"id"?: never,"reason"?: string | null,"to_status"?: Database["public"]['Enums']["campaign_status"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "campaign_status_history_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    }
                  ]
                },"campaign_updates": {
                  Row: {
                    "author_id": string | null,"body": string,"campaign_id": string,"created_at": string,"id": string,"media": string | null,"title": string,"updated_at": string,"media_urls": Database["public"]['CompositeTypes']["delivery_urls"] | null
                  }
                  ComputedFields: "media_urls"
                  Insert: {
                    "author_id"?: string | null,"body": string,"campaign_id": string,"created_at"?: string,"id"?: string,"media"?: string | null,"title": string,"updated_at"?: string
                  }
                  Update: {
                    "author_id"?: string | null,"body"?: string,"campaign_id"?: string,"created_at"?: string,"id"?: string,"media"?: string | null,"title"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "campaign_updates_author_id_fkey"
      columns: ["author_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "campaign_updates_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "campaign_updates_media_fkey"
      columns: ["campaign_id","media"]
isOneToOne: false
      referencedRelation: "campaign_media"
      referencedColumns: ["campaign_id","public_id"]
    }
                  ]
                },"campaigns": {
                  Row: {
                    "category": string | null,"city": string | null,"collected_amount": number,"content_edited_at": string | null,"country": string | null,"cover": string | null,"created_at": string,"currency": string,"donor_count": number,"ends_at": string | null,"featured": boolean,"goal_amount": number,"goal_reached_at": string | null,"id": string,"is_open": boolean,"is_published": boolean,"offline_amount": number,"owner_id": string | null,"progress_bp": number | null,"progress_with_offline_bp": number | null,"published_at": string | null,"rejection_reason": string | null,"slug": string,"starts_at": string | null,"status": Database["public"]['Enums']["campaign_status"],"story": string | null,"summary": string | null,"tags": (string)[],"title": string,"treasurer_quorum": number | null,"updated_at": string,"cover_urls": Database["public"]['CompositeTypes']["delivery_urls"] | null,"justification_overdue": boolean | null
                  }
                  ComputedFields: "cover_urls" | "justification_overdue"
                  Insert: {
                    "category"?: string | null,"city"?: string | null,"collected_amount"?: number,"content_edited_at"?: string | null,"country"?: string | null,"cover"?: string | null,"created_at"?: string,"currency": string,"donor_count"?: number,"ends_at"?: string | null,"featured"?: boolean,"goal_amount": number,"goal_reached_at"?: string | null,"id"?: string,"is_open"?: never,"is_published"?: never,"offline_amount"?: number,"owner_id"?: string | null,"progress_bp"?: never,"progress_with_offline_bp"?: never,"published_at"?: string | null,"rejection_reason"?: string | null,"slug"?: string,"starts_at"?: string | null,"status"?: Database["public"]['Enums']["campaign_status"],"story"?: string | null,"summary"?: string | null,"tags"?: (string)[],"title": string,"treasurer_quorum"?: number | null,"updated_at"?: string
                  }
                  Update: {
                    "category"?: string | null,"city"?: string | null,"collected_amount"?: number,"content_edited_at"?: string | null,"country"?: string | null,"cover"?: string | null,"created_at"?: string,"currency"?: string,"donor_count"?: number,"ends_at"?: string | null,"featured"?: boolean,"goal_amount"?: number,"goal_reached_at"?: string | null,"id"?: string,"is_open"?: never,"is_published"?: never,"offline_amount"?: number,"owner_id"?: string | null,"progress_bp"?: never,"progress_with_offline_bp"?: never,"published_at"?: string | null,"rejection_reason"?: string | null,"slug"?: string,"starts_at"?: string | null,"status"?: Database["public"]['Enums']["campaign_status"],"story"?: string | null,"summary"?: string | null,"tags"?: (string)[],"title"?: string,"treasurer_quorum"?: number | null,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "campaigns_category_fkey"
      columns: ["category"]
isOneToOne: false
      referencedRelation: "categories"
      referencedColumns: ["slug"]
    },{
      foreignKeyName: "campaigns_cover_fkey"
      columns: ["id","cover"]
isOneToOne: false
      referencedRelation: "campaign_media"
      referencedColumns: ["campaign_id","public_id"]
    },{
      foreignKeyName: "campaigns_currency_fkey"
      columns: ["currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    },{
      foreignKeyName: "campaigns_owner_id_fkey"
      columns: ["owner_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"categories": {
                  Row: {
                    "active": boolean,"created_at": string,"justification_days": number | null,"name_en": string,"name_fr": string,"platform_fee_bp": number | null,"position": number,"slug": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "active"?: boolean,"created_at"?: string,"justification_days"?: number | null,"name_en": string,"name_fr": string,"platform_fee_bp"?: number | null,"position"?: number,"slug": string,"updated_at"?: string
                  }
                  Update: {
                    "active"?: boolean,"created_at"?: string,"justification_days"?: number | null,"name_en"?: string,"name_fr"?: string,"platform_fee_bp"?: number | null,"position"?: number,"slug"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"category_institution_thresholds": {
                  Row: {
                    "above": number,"category": string,"currency": string
                  }
                  ComputedFields: never
                  Insert: {
                    "above": number,"category": string,"currency": string
                  }
                  Update: {
                    "above"?: number,"category"?: string,"currency"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "category_institution_thresholds_category_fkey"
      columns: ["category"]
isOneToOne: false
      referencedRelation: "categories"
      referencedColumns: ["slug"]
    },{
      foreignKeyName: "category_institution_thresholds_currency_fkey"
      columns: ["currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    }
                  ]
                },"category_proof_requirements": {
                  Row: {
                    "category": string,"document_type": string,"label_en": string,"label_fr": string
                  }
                  ComputedFields: never
                  Insert: {
                    "category": string,"document_type": string,"label_en": string,"label_fr": string
                  }
                  Update: {
                    "category"?: string,"document_type"?: string,"label_en"?: string,"label_fr"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "category_proof_requirements_category_fkey"
      columns: ["category"]
isOneToOne: false
      referencedRelation: "categories"
      referencedColumns: ["slug"]
    }
                  ]
                },"comments": {
                  Row: {
                    "author_id": string,"body": string,"campaign_id": string,"created_at": string,"hidden": boolean,"hidden_reason": string | null,"id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "author_id"?: string,"body": string,"campaign_id": string,"created_at"?: string,"hidden"?: boolean,"hidden_reason"?: string | null,"id"?: string,"updated_at"?: string
                  }
                  Update: {
                    "author_id"?: string,"body"?: string,"campaign_id"?: string,"created_at"?: string,"hidden"?: boolean,"hidden_reason"?: string | null,"id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "comments_author_id_fkey"
      columns: ["author_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "comments_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    }
                  ]
                },"currencies": {
                  Row: {
                    "active": boolean,"code": string,"created_at": string,"exponent": number,"max_donation": number,"max_goal": number,"min_donation": number,"name_en": string,"name_fr": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "active"?: boolean,"code": string,"created_at"?: string,"exponent": number,"max_donation": number,"max_goal": number,"min_donation": number,"name_en": string,"name_fr": string,"updated_at"?: string
                  }
                  Update: {
                    "active"?: boolean,"code"?: string,"created_at"?: string,"exponent"?: number,"max_donation"?: number,"max_goal"?: number,"min_donation"?: number,"name_en"?: string,"name_fr"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"donations": {
                  Row: {
                    "amount": number,"campaign_id": string,"covers_fees": boolean,"created_at": string,"currency": string,"dispute_status": Database["public"]['Enums']["dispute_status"] | null,"disputed_amount": number,"donor_email": string | null,"donor_id": string | null,"donor_name": string | null,"id": string,"is_anonymous": boolean,"locale": Database["public"]['Enums']["locale"] | null,"message": string | null,"needs_review": string | null,"platform_fee_bp": number,"refunded_amount": number,"status": Database["public"]['Enums']["donation_status"],"succeeded_at": string | null,"tip_amount": number,"tip_disputed": number,"tip_refunded": number,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "amount": number,"campaign_id": string,"covers_fees"?: boolean,"created_at"?: string,"currency": string,"dispute_status"?: Database["public"]['Enums']["dispute_status"] | null,"disputed_amount"?: number,"donor_email"?: string | null,"donor_id"?: string | null,"donor_name"?: string | null,"id"?: string,"is_anonymous"?: boolean,"locale"?: Database["public"]['Enums']["locale"] | null,"message"?: string | null,"needs_review"?: string | null,"platform_fee_bp": number,"refunded_amount"?: number,"status"?: Database["public"]['Enums']["donation_status"],"succeeded_at"?: string | null,"tip_amount"?: number,"tip_disputed"?: number,"tip_refunded"?: number,"updated_at"?: string
                  }
                  Update: {
                    "amount"?: number,"campaign_id"?: string,"covers_fees"?: boolean,"created_at"?: string,"currency"?: string,"dispute_status"?: Database["public"]['Enums']["dispute_status"] | null,"disputed_amount"?: number,"donor_email"?: string | null,"donor_id"?: string | null,"donor_name"?: string | null,"id"?: string,"is_anonymous"?: boolean,"locale"?: Database["public"]['Enums']["locale"] | null,"message"?: string | null,"needs_review"?: string | null,"platform_fee_bp"?: number,"refunded_amount"?: number,"status"?: Database["public"]['Enums']["donation_status"],"succeeded_at"?: string | null,"tip_amount"?: number,"tip_disputed"?: number,"tip_refunded"?: number,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "donations_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "donations_currency_fkey"
      columns: ["currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    },{
      foreignKeyName: "donations_donor_id_fkey"
      columns: ["donor_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"exchange_rates": {
                  Row: {
                    "as_of": string,"base_currency": string,"origin": string | null,"quote_currency": string,"rate": number,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "as_of": string,"base_currency": string,"origin"?: string | null,"quote_currency": string,"rate": number,"updated_at"?: string
                  }
                  Update: {
                    "as_of"?: string,"base_currency"?: string,"origin"?: string | null,"quote_currency"?: string,"rate"?: number,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "exchange_rates_base_currency_fkey"
      columns: ["base_currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    },{
      foreignKeyName: "exchange_rates_quote_currency_fkey"
      columns: ["quote_currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    }
                  ]
                },"institutions": {
                  Row: {
                    "account_mask": string,"bank_name": string | null,"beneficiary_mask": string,"city": string,"country": string,"created_at": string,"deactivated_at": string | null,"id": string,"kind": Database["public"]['Enums']["institution_kind"],"method": Database["public"]['Enums']["payout_method"],"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,"name": string,"updated_at": string,"verified_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "account_mask": string,"bank_name"?: string | null,"beneficiary_mask": string,"city": string,"country": string,"created_at"?: string,"deactivated_at"?: string | null,"id"?: string,"kind": Database["public"]['Enums']["institution_kind"],"method": Database["public"]['Enums']["payout_method"],"mobile_operator"?: Database["public"]['Enums']["mobile_money_operator"] | null,"name": string,"updated_at"?: string,"verified_at"?: string
                  }
                  Update: {
                    "account_mask"?: string,"bank_name"?: string | null,"beneficiary_mask"?: string,"city"?: string,"country"?: string,"created_at"?: string,"deactivated_at"?: string | null,"id"?: string,"kind"?: Database["public"]['Enums']["institution_kind"],"method"?: Database["public"]['Enums']["payout_method"],"mobile_operator"?: Database["public"]['Enums']["mobile_money_operator"] | null,"name"?: string,"updated_at"?: string,"verified_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"justification_lines": {
                  Row: {
                    "amount": number,"campaign_id": string,"created_at": string,"created_by": string | null,"currency": string,"description": string,"id": string,"payout_id": string,"public_image_ref": string | null,"published_at": string | null,"published_by": string | null,"removed_at": string | null,"removed_by": string | null,"removed_reason": string | null,"spent_on": string,"status": Database["public"]['Enums']["justification_status"],"supplier": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "amount": number,"campaign_id": string,"created_at"?: string,"created_by"?: string | null,"currency": string,"description": string,"id"?: string,"payout_id": string,"public_image_ref"?: string | null,"published_at"?: string | null,"published_by"?: string | null,"removed_at"?: string | null,"removed_by"?: string | null,"removed_reason"?: string | null,"spent_on": string,"status"?: Database["public"]['Enums']["justification_status"],"supplier": string,"updated_at"?: string
                  }
                  Update: {
                    "amount"?: number,"campaign_id"?: string,"created_at"?: string,"created_by"?: string | null,"currency"?: string,"description"?: string,"id"?: string,"payout_id"?: string,"public_image_ref"?: string | null,"published_at"?: string | null,"published_by"?: string | null,"removed_at"?: string | null,"removed_by"?: string | null,"removed_reason"?: string | null,"spent_on"?: string,"status"?: Database["public"]['Enums']["justification_status"],"supplier"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "justification_lines_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "justification_lines_created_by_fkey"
      columns: ["created_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "justification_lines_currency_fkey"
      columns: ["currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    },{
      foreignKeyName: "justification_lines_payout_id_fkey"
      columns: ["payout_id"]
isOneToOne: false
      referencedRelation: "payout_requests"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "justification_lines_published_by_fkey"
      columns: ["published_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "justification_lines_removed_by_fkey"
      columns: ["removed_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"justification_receipts": {
                  Row: {
                    "campaign_id": string,"created_at": string,"file_ref": string,"line_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "campaign_id": string,"created_at"?: string,"file_ref": string,"line_id": string
                  }
                  Update: {
                    "campaign_id"?: string,"created_at"?: string,"file_ref"?: string,"line_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "justification_receipts_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "justification_receipts_line_id_fkey"
      columns: ["line_id"]
isOneToOne: true
      referencedRelation: "justification_lines"
      referencedColumns: ["id"]
    }
                  ]
                },"notification_kinds": {
                  Row: {
                    "description": string,"kind": Database["public"]['Enums']["notification_kind"],"payload_schema": NonNullable<Json>
                  }
                  ComputedFields: never
                  Insert: {
                    "description": string,"kind": Database["public"]['Enums']["notification_kind"],"payload_schema": NonNullable<Json>
                  }
                  Update: {
                    "description"?: string,"kind"?: Database["public"]['Enums']["notification_kind"],"payload_schema"?: NonNullable<Json>
                  }
                  Relationships: [
                    
                  ]
                },"notification_preferences": {
                  Row: {
                    "email": boolean,"kind": Database["public"]['Enums']["notification_kind"],"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "email"?: boolean,"kind": Database["public"]['Enums']["notification_kind"],"updated_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "email"?: boolean,"kind"?: Database["public"]['Enums']["notification_kind"],"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "notification_preferences_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"notifications": {
                  Row: {
                    "campaign_id": string | null,"created_at": string,"dedupe_key": string,"id": string,"kind": Database["public"]['Enums']["notification_kind"],"payload": NonNullable<Json>,"read_at": string | null,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "campaign_id"?: string | null,"created_at"?: string,"dedupe_key": string,"id"?: string,"kind": Database["public"]['Enums']["notification_kind"],"payload"?: NonNullable<Json>,"read_at"?: string | null,"user_id": string
                  }
                  Update: {
                    "campaign_id"?: string | null,"created_at"?: string,"dedupe_key"?: string,"id"?: string,"kind"?: Database["public"]['Enums']["notification_kind"],"payload"?: NonNullable<Json>,"read_at"?: string | null,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "notifications_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "notifications_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"offline_gifts": {
                  Row: {
                    "amount": number,"attested_at": string | null,"attested_by": string | null,"campaign_id": string,"channel": Database["public"]['Enums']["offline_gift_channel"],"currency": string,"giver_consented": boolean,"giver_name": string | null,"id": string,"reason": string | null,"received_on": string,"recorded_at": string,"recorded_by": string | null,"refused_at": string | null,"refused_by": string | null,"slip_ref": string,"status": Database["public"]['Enums']["offline_gift_status"],"withdrawn_at": string | null,"withdrawn_by": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "amount": number,"attested_at"?: string | null,"attested_by"?: string | null,"campaign_id": string,"channel": Database["public"]['Enums']["offline_gift_channel"],"currency": string,"giver_consented"?: boolean,"giver_name"?: string | null,"id"?: string,"reason"?: string | null,"received_on": string,"recorded_at"?: string,"recorded_by"?: string | null,"refused_at"?: string | null,"refused_by"?: string | null,"slip_ref": string,"status"?: Database["public"]['Enums']["offline_gift_status"],"withdrawn_at"?: string | null,"withdrawn_by"?: string | null
                  }
                  Update: {
                    "amount"?: number,"attested_at"?: string | null,"attested_by"?: string | null,"campaign_id"?: string,"channel"?: Database["public"]['Enums']["offline_gift_channel"],"currency"?: string,"giver_consented"?: boolean,"giver_name"?: string | null,"id"?: string,"reason"?: string | null,"received_on"?: string,"recorded_at"?: string,"recorded_by"?: string | null,"refused_at"?: string | null,"refused_by"?: string | null,"slip_ref"?: string,"status"?: Database["public"]['Enums']["offline_gift_status"],"withdrawn_at"?: string | null,"withdrawn_by"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "offline_gifts_attested_by_fkey"
      columns: ["attested_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "offline_gifts_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "offline_gifts_currency_fkey"
      columns: ["currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    },{
      foreignKeyName: "offline_gifts_recorded_by_fkey"
      columns: ["recorded_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "offline_gifts_refused_by_fkey"
      columns: ["refused_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "offline_gifts_withdrawn_by_fkey"
      columns: ["withdrawn_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"organisations": {
                  Row: {
                    "address": string,"created_at": string,"created_by": string | null,"id": string,"ifu": string | null,"legal_mention_en": string,"legal_mention_fr": string,"legal_name": string,"ninea": string | null,"rccm": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "address": string,"created_at"?: string,"created_by"?: string | null,"id"?: string,"ifu"?: string | null,"legal_mention_en": string,"legal_mention_fr": string,"legal_name": string,"ninea"?: string | null,"rccm"?: string | null
                  }
                  Update: {
                    "address"?: string,"created_at"?: string,"created_by"?: string | null,"id"?: string,"ifu"?: string | null,"legal_mention_en"?: string,"legal_mention_fr"?: string,"legal_name"?: string,"ninea"?: string | null,"rccm"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"payout_approvals": {
                  Row: {
                    "approved_at": string,"payout_id": string,"treasurer_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "approved_at"?: string,"payout_id": string,"treasurer_id": string
                  }
                  Update: {
                    "approved_at"?: string,"payout_id"?: string,"treasurer_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "payout_approvals_payout_id_fkey"
      columns: ["payout_id"]
isOneToOne: false
      referencedRelation: "payout_requests"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "payout_approvals_treasurer_id_fkey"
      columns: ["treasurer_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"payout_requests": {
                  Row: {
                    "account_mask": string,"amount": number,"approvals_required": number,"approved_at": string | null,"approvers": (string)[],"bank_name": string | null,"beneficiary_mask": string,"campaign_id": string,"created_at": string,"currency": string,"decided_by": string | null,"id": string,"institution_id": string | null,"method": Database["public"]['Enums']["payout_method"],"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,"paid_at": string | null,"reason": string | null,"reference": string | null,"requested_by": string | null,"status": Database["public"]['Enums']["payout_status"],"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "account_mask": string,"amount": number,"approvals_required"?: number,"approved_at"?: string | null,"approvers"?: (string)[],"bank_name"?: string | null,"beneficiary_mask": string,"campaign_id": string,"created_at"?: string,"currency": string,"decided_by"?: string | null,"id"?: string,"institution_id"?: string | null,"method": Database["public"]['Enums']["payout_method"],"mobile_operator"?: Database["public"]['Enums']["mobile_money_operator"] | null,"paid_at"?: string | null,"reason"?: string | null,"reference"?: string | null,"requested_by"?: string | null,"status"?: Database["public"]['Enums']["payout_status"],"updated_at"?: string
                  }
                  Update: {
                    "account_mask"?: string,"amount"?: number,"approvals_required"?: number,"approved_at"?: string | null,"approvers"?: (string)[],"bank_name"?: string | null,"beneficiary_mask"?: string,"campaign_id"?: string,"created_at"?: string,"currency"?: string,"decided_by"?: string | null,"id"?: string,"institution_id"?: string | null,"method"?: Database["public"]['Enums']["payout_method"],"mobile_operator"?: Database["public"]['Enums']["mobile_money_operator"] | null,"paid_at"?: string | null,"reason"?: string | null,"reference"?: string | null,"requested_by"?: string | null,"status"?: Database["public"]['Enums']["payout_status"],"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "payout_requests_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "payout_requests_currency_fkey"
      columns: ["currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    },{
      foreignKeyName: "payout_requests_decided_by_fkey"
      columns: ["decided_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "payout_requests_institution_id_fkey"
      columns: ["institution_id"]
isOneToOne: false
      referencedRelation: "institutions"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "payout_requests_requested_by_fkey"
      columns: ["requested_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"platform_settings": {
                  Row: {
                    "id": boolean,"media_cloud_name": string,"platform_fee_bp": number,"site_url": string,"tip_max_bp": number,"tip_suggestions_bp": (number)[],"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "id"?: boolean,"media_cloud_name"?: string,"platform_fee_bp"?: number,"site_url"?: string,"tip_max_bp"?: number,"tip_suggestions_bp"?: (number)[],"updated_at"?: string
                  }
                  Update: {
                    "id"?: boolean,"media_cloud_name"?: string,"platform_fee_bp"?: number,"site_url"?: string,"tip_max_bp"?: number,"tip_suggestions_bp"?: (number)[],"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"profiles": {
                  Row: {
                    "avatar_url": string | null,"bio": string | null,"country": string | null,"created_at": string,"display_name": string | null,"id": string,"locale": Database["public"]['Enums']["locale"],"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "avatar_url"?: string | null,"bio"?: string | null,"country"?: string | null,"created_at"?: string,"display_name"?: string | null,"id": string,"locale"?: Database["public"]['Enums']["locale"],"updated_at"?: string
                  }
                  Update: {
                    "avatar_url"?: string | null,"bio"?: string | null,"country"?: string | null,"created_at"?: string,"display_name"?: string | null,"id"?: string,"locale"?: Database["public"]['Enums']["locale"],"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"provider_currencies": {
                  Row: {
                    "active": boolean,"amount_step": number,"created_at": string,"currency": string,"is_default": boolean,"max_amount": number | null,"min_amount": number | null,"provider": Database["public"]['Enums']["payment_provider"],"provider_exponent": number,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "active"?: boolean,"amount_step": number,"created_at"?: string,"currency": string,"is_default"?: boolean,"max_amount"?: number | null,"min_amount"?: number | null,"provider": Database["public"]['Enums']["payment_provider"],"provider_exponent"?: never,"updated_at"?: string
                  }
                  Update: {
                    "active"?: boolean,"amount_step"?: number,"created_at"?: string,"currency"?: string,"is_default"?: boolean,"max_amount"?: number | null,"min_amount"?: number | null,"provider"?: Database["public"]['Enums']["payment_provider"],"provider_exponent"?: never,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "provider_currencies_currency_fkey"
      columns: ["currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    }
                  ]
                },"provider_fees": {
                  Row: {
                    "channel": string,"created_at": string,"currency": string | null,"fee_bp": number,"fee_cap": number | null,"fixed_fee": number,"fixed_fee_from": number | null,"id": number,"payment_methods": (string)[],"provider": Database["public"]['Enums']["payment_provider"],"tax_bp": number,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "channel": string,"created_at"?: string,"currency"?: string | null,"fee_bp": number,"fee_cap"?: number | null,"fixed_fee"?: number,"fixed_fee_from"?: number | null,"id"?: never,"payment_methods"?: (string)[],"provider": Database["public"]['Enums']["payment_provider"],"tax_bp"?: number,"updated_at"?: string
                  }
                  Update: {
                    "channel"?: string,"created_at"?: string,"currency"?: string | null,"fee_bp"?: number,"fee_cap"?: number | null,"fixed_fee"?: number,"fixed_fee_from"?: number | null,"id"?: never,"payment_methods"?: (string)[],"provider"?: Database["public"]['Enums']["payment_provider"],"tax_bp"?: number,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "provider_fees_currency_fkey"
      columns: ["currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    }
                  ]
                },"receipts": {
                  Row: {
                    "amount": number,"campaign_id": string,"campaign_title": string,"currency": string,"donated_at": string,"donation_id": string,"donor_name": string | null,"id": string,"issued_at": string,"kind": Database["public"]['Enums']["receipt_kind"],"legal_mention": string | null,"locale": Database["public"]['Enums']["locale"],"number": string,"organisation_address": string | null,"organisation_id": string | null,"organisation_ifu": string | null,"organisation_name": string | null,"organisation_ninea": string | null,"organisation_rccm": string | null,"organiser_name": string | null,"provider": Database["public"]['Enums']["payment_provider"] | null,"provider_ref": string | null,"receipt_id": string | null,"tip_amount": number,"voided_at": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "amount": number,"campaign_id": string,"campaign_title": string,"currency": string,"donated_at": string,"donation_id": string,"donor_name"?: string | null,"id"?: string,"issued_at"?: string,"kind": Database["public"]['Enums']["receipt_kind"],"legal_mention"?: string | null,"locale": Database["public"]['Enums']["locale"],"number": string,"organisation_address"?: string | null,"organisation_id"?: string | null,"organisation_ifu"?: string | null,"organisation_name"?: string | null,"organisation_ninea"?: string | null,"organisation_rccm"?: string | null,"organiser_name"?: string | null,"provider"?: Database["public"]['Enums']["payment_provider"] | null,"provider_ref"?: string | null,"receipt_id"?: string | null,"tip_amount"?: number,"voided_at"?: string | null
                  }
                  Update: {
                    "amount"?: number,"campaign_id"?: string,"campaign_title"?: string,"currency"?: string,"donated_at"?: string,"donation_id"?: string,"donor_name"?: string | null,"id"?: string,"issued_at"?: string,"kind"?: Database["public"]['Enums']["receipt_kind"],"legal_mention"?: string | null,"locale"?: Database["public"]['Enums']["locale"],"number"?: string,"organisation_address"?: string | null,"organisation_id"?: string | null,"organisation_ifu"?: string | null,"organisation_name"?: string | null,"organisation_ninea"?: string | null,"organisation_rccm"?: string | null,"organiser_name"?: string | null,"provider"?: Database["public"]['Enums']["payment_provider"] | null,"provider_ref"?: string | null,"receipt_id"?: string | null,"tip_amount"?: number,"voided_at"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "receipts_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "receipts_currency_fkey"
      columns: ["currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    },{
      foreignKeyName: "receipts_donation_id_fkey"
      columns: ["donation_id"]
isOneToOne: false
      referencedRelation: "donations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "receipts_organisation_id_fkey"
      columns: ["organisation_id"]
isOneToOne: false
      referencedRelation: "organisations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "receipts_receipt_id_fkey"
      columns: ["receipt_id"]
isOneToOne: false
      referencedRelation: "receipts"
      referencedColumns: ["id"]
    }
                  ]
                },"recurring_gifts": {
                  Row: {
                    "amount": number,"campaign_id": string,"created_at": string,"currency": string,"donor_email": string | null,"donor_id": string | null,"donor_name": string | null,"end_reason": Database["public"]['Enums']["recurring_gift_end_reason"] | null,"ended_at": string | null,"failed_payments": number,"id": string,"is_anonymous": boolean,"last_failure_at": string | null,"locale": Database["public"]['Enums']["locale"],"started_at": string | null,"status": Database["public"]['Enums']["recurring_gift_status"],"stopped_at": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "amount": number,"campaign_id": string,"created_at"?: string,"currency": string,"donor_email"?: string | null,"donor_id"?: string | null,"donor_name"?: string | null,"end_reason"?: Database["public"]['Enums']["recurring_gift_end_reason"] | null,"ended_at"?: string | null,"failed_payments"?: number,"id"?: string,"is_anonymous"?: boolean,"last_failure_at"?: string | null,"locale"?: Database["public"]['Enums']["locale"],"started_at"?: string | null,"status"?: Database["public"]['Enums']["recurring_gift_status"],"stopped_at"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "amount"?: number,"campaign_id"?: string,"created_at"?: string,"currency"?: string,"donor_email"?: string | null,"donor_id"?: string | null,"donor_name"?: string | null,"end_reason"?: Database["public"]['Enums']["recurring_gift_end_reason"] | null,"ended_at"?: string | null,"failed_payments"?: number,"id"?: string,"is_anonymous"?: boolean,"last_failure_at"?: string | null,"locale"?: Database["public"]['Enums']["locale"],"started_at"?: string | null,"status"?: Database["public"]['Enums']["recurring_gift_status"],"stopped_at"?: string | null,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "recurring_gifts_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "recurring_gifts_currency_fkey"
      columns: ["currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    },{
      foreignKeyName: "recurring_gifts_donor_id_fkey"
      columns: ["donor_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"refund_orders": {
                  Row: {
                    "amount": number,"campaign_id": string,"created_at": string,"created_by": string | null,"currency": string,"donation_id": string,"error": string | null,"id": string,"payment_ref": string | null,"provider": Database["public"]['Enums']["payment_provider"],"provider_amount": number | null,"provider_refund_id": string | null,"refunded_at": string | null,"requested_at": string | null,"status": Database["public"]['Enums']["refund_order_status"],"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "amount": number,"campaign_id": string,"created_at"?: string,"created_by"?: string | null,"currency": string,"donation_id": string,"error"?: string | null,"id"?: string,"payment_ref"?: string | null,"provider": Database["public"]['Enums']["payment_provider"],"provider_amount"?: number | null,"provider_refund_id"?: string | null,"refunded_at"?: string | null,"requested_at"?: string | null,"status": Database["public"]['Enums']["refund_order_status"],"updated_at"?: string
                  }
                  Update: {
                    "amount"?: number,"campaign_id"?: string,"created_at"?: string,"created_by"?: string | null,"currency"?: string,"donation_id"?: string,"error"?: string | null,"id"?: string,"payment_ref"?: string | null,"provider"?: Database["public"]['Enums']["payment_provider"],"provider_amount"?: number | null,"provider_refund_id"?: string | null,"refunded_at"?: string | null,"requested_at"?: string | null,"status"?: Database["public"]['Enums']["refund_order_status"],"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "refund_orders_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "refund_orders_currency_fkey"
      columns: ["currency"]
isOneToOne: false
      referencedRelation: "currencies"
      referencedColumns: ["code"]
    },{
      foreignKeyName: "refund_orders_donation_id_fkey"
      columns: ["donation_id"]
isOneToOne: true
      referencedRelation: "donations"
      referencedColumns: ["id"]
    }
                  ]
                },"reports": {
                  Row: {
                    "campaign_id": string | null,"comment_id": string | null,"created_at": string,"details": string | null,"id": string,"reason": Database["public"]['Enums']["report_reason"],"reporter_id": string,"resolution_note": string | null,"resolved_at": string | null,"resolved_by": string | null,"status": Database["public"]['Enums']["report_status"]
                  }
                  ComputedFields: never
                  Insert: {
                    "campaign_id"?: string | null,"comment_id"?: string | null,"created_at"?: string,"details"?: string | null,"id"?: string,"reason": Database["public"]['Enums']["report_reason"],"reporter_id"?: string,"resolution_note"?: string | null,"resolved_at"?: string | null,"resolved_by"?: string | null,"status"?: Database["public"]['Enums']["report_status"]
                  }
                  Update: {
                    "campaign_id"?: string | null,"comment_id"?: string | null,"created_at"?: string,"details"?: string | null,"id"?: string,"reason"?: Database["public"]['Enums']["report_reason"],"reporter_id"?: string,"resolution_note"?: string | null,"resolved_at"?: string | null,"resolved_by"?: string | null,"status"?: Database["public"]['Enums']["report_status"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "reports_campaign_id_fkey"
      columns: ["campaign_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "reports_comment_id_fkey"
      columns: ["comment_id"]
isOneToOne: false
      referencedRelation: "comments"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "reports_reporter_id_fkey"
      columns: ["reporter_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "reports_resolved_by_fkey"
      columns: ["resolved_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"user_roles": {
                  Row: {
                    "granted_at": string,"granted_by": string | null,"role": Database["public"]['Enums']["app_role"],"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "granted_at"?: string,"granted_by"?: string | null,"role": Database["public"]['Enums']["app_role"],"user_id": string
                  }
                  Update: {
                    "granted_at"?: string,"granted_by"?: string | null,"role"?: Database["public"]['Enums']["app_role"],"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                }
          }
          Views: {
            [_ in never]: never
          }
          Functions: {
            "accept_invitation":
{ Args: { "token": string }; Returns: {
              "accepted_by": string | null,
"campaign_id": string,
"created_at": string,
"email": string,
"expires_at": string,
"id": string,
"invited_by": string | null,
"last_sent_at": string,
"message": string | null,
"responded_at": string | null,
"role": Database["public"]['Enums']["invitation_role"],
"send_count": number,
"status": Database["public"]['Enums']["invitation_status"]
            }
                          SetofOptions: {
        from: "*"
        to: "campaign_invitations"
        isOneToOne: true
        isSetofReturn: false
      } },
"add_justification_line":
{ Args: { "amount": number,"description": string,"payout_id": string,"public_image_ref"?: string,"receipt_ref": string,"spent_on": string,"supplier": string }; Returns: {
              "amount": number,
"campaign_id": string,
"created_at": string,
"created_by": string | null,
"currency": string,
"description": string,
"id": string,
"payout_id": string,
"public_image_ref": string | null,
"published_at": string | null,
"published_by": string | null,
"removed_at": string | null,
"removed_by": string | null,
"removed_reason": string | null,
"spent_on": string,
"status": Database["public"]['Enums']["justification_status"],
"supplier": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "justification_lines"
        isOneToOne: true
        isSetofReturn: false
      } },
"approve_campaign":
{ Args: { "campaign_id": string }; Returns: {
              "category": string | null,
"city": string | null,
"collected_amount": number,
"content_edited_at": string | null,
"country": string | null,
"cover": string | null,
"created_at": string,
"currency": string,
"donor_count": number,
"ends_at": string | null,
"featured": boolean,
"goal_amount": number,
"goal_reached_at": string | null,
"id": string,
"is_open": boolean,
"is_published": boolean,
"offline_amount": number,
"owner_id": string | null,
"progress_bp": number | null,
"progress_with_offline_bp": number | null,
"published_at": string | null,
"rejection_reason": string | null,
"slug": string,
"starts_at": string | null,
"status": Database["public"]['Enums']["campaign_status"],
"story": string | null,
"summary": string | null,
"tags": (string)[],
"title": string,
"treasurer_quorum": number | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "campaigns"
        isOneToOne: true
        isSetofReturn: false
      } },
"approve_payout":
{ Args: { "payout_id": string }; Returns: {
              "account_mask": string,
"amount": number,
"approvals_required": number,
"approved_at": string | null,
"approvers": (string)[],
"bank_name": string | null,
"beneficiary_mask": string,
"campaign_id": string,
"created_at": string,
"currency": string,
"decided_by": string | null,
"id": string,
"institution_id": string | null,
"method": Database["public"]['Enums']["payout_method"],
"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,
"paid_at": string | null,
"reason": string | null,
"reference": string | null,
"requested_by": string | null,
"status": Database["public"]['Enums']["payout_status"],
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "payout_requests"
        isOneToOne: true
        isSetofReturn: false
      } },
"approve_payout_as_treasurer":
{ Args: { "payout_id": string }; Returns: {
              "account_mask": string,
"amount": number,
"approvals_required": number,
"approved_at": string | null,
"approvers": (string)[],
"bank_name": string | null,
"beneficiary_mask": string,
"campaign_id": string,
"created_at": string,
"currency": string,
"decided_by": string | null,
"id": string,
"institution_id": string | null,
"method": Database["public"]['Enums']["payout_method"],
"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,
"paid_at": string | null,
"reason": string | null,
"reference": string | null,
"requested_by": string | null,
"status": Database["public"]['Enums']["payout_status"],
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "payout_requests"
        isOneToOne: true
        isSetofReturn: false
      } },
"attest_offline_gift":
{ Args: { "gift_id": string }; Returns: {
              "amount": number,
"attested_at": string | null,
"attested_by": string | null,
"campaign_id": string,
"channel": Database["public"]['Enums']["offline_gift_channel"],
"currency": string,
"giver_consented": boolean,
"giver_name": string | null,
"id": string,
"reason": string | null,
"received_on": string,
"recorded_at": string,
"recorded_by": string | null,
"refused_at": string | null,
"refused_by": string | null,
"slip_ref": string,
"status": Database["public"]['Enums']["offline_gift_status"],
"withdrawn_at": string | null,
"withdrawn_by": string | null
            }
                          SetofOptions: {
        from: "*"
        to: "offline_gifts"
        isOneToOne: true
        isSetofReturn: false
      } },
"campaign_balance":
{ Args: { "campaign_id": string }; Returns: Database["public"]['CompositeTypes']["campaign_balance"]
                          SetofOptions: {
        from: "*"
        to: "campaign_balance"
        isOneToOne: true
        isSetofReturn: false
      } },
"campaign_by_slug":
{ Args: { "slug": string }; Returns: {
              "category": string | null,
"city": string | null,
"collected_amount": number,
"content_edited_at": string | null,
"country": string | null,
"cover": string | null,
"created_at": string,
"currency": string,
"donor_count": number,
"ends_at": string | null,
"featured": boolean,
"goal_amount": number,
"goal_reached_at": string | null,
"id": string,
"is_open": boolean,
"is_published": boolean,
"offline_amount": number,
"owner_id": string | null,
"progress_bp": number | null,
"progress_with_offline_bp": number | null,
"published_at": string | null,
"rejection_reason": string | null,
"slug": string,
"starts_at": string | null,
"status": Database["public"]['Enums']["campaign_status"],
"story": string | null,
"summary": string | null,
"tags": (string)[],
"title": string,
"treasurer_quorum": number | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "campaigns"
        isOneToOne: true
        isSetofReturn: false
      } },
"campaign_dashboard":
{ Args: { "campaign_id": string }; Returns: Database["public"]['CompositeTypes']["campaign_dashboard"]
                          SetofOptions: {
        from: "*"
        to: "campaign_dashboard"
        isOneToOne: true
        isSetofReturn: false
      } },
"campaign_donations":
{ Args: { "campaign_id": string,"page_offset"?: number,"page_size"?: number }; Returns: Database["public"]['CompositeTypes']["campaign_donation"][]
                          SetofOptions: {
        from: "*"
        to: "campaign_donation"
        isOneToOne: false
        isSetofReturn: true
      } },
"campaign_offline_gifts":
{ Args: { "campaign_id": string,"page_offset"?: number,"page_size"?: number }; Returns: Database["public"]['CompositeTypes']["attested_offline_gift"][]
                          SetofOptions: {
        from: "*"
        to: "attested_offline_gift"
        isOneToOne: false
        isSetofReturn: true
      } },
"campaign_spending":
{ Args: { "campaign_id": string }; Returns: Database["public"]['CompositeTypes']["campaign_spending"]
                          SetofOptions: {
        from: "*"
        to: "campaign_spending"
        isOneToOne: true
        isSetofReturn: false
      } },
"cancel_campaign":
{ Args: { "campaign_id": string,"reason"?: string }; Returns: {
              "category": string | null,
"city": string | null,
"collected_amount": number,
"content_edited_at": string | null,
"country": string | null,
"cover": string | null,
"created_at": string,
"currency": string,
"donor_count": number,
"ends_at": string | null,
"featured": boolean,
"goal_amount": number,
"goal_reached_at": string | null,
"id": string,
"is_open": boolean,
"is_published": boolean,
"offline_amount": number,
"owner_id": string | null,
"progress_bp": number | null,
"progress_with_offline_bp": number | null,
"published_at": string | null,
"rejection_reason": string | null,
"slug": string,
"starts_at": string | null,
"status": Database["public"]['Enums']["campaign_status"],
"story": string | null,
"summary": string | null,
"tags": (string)[],
"title": string,
"treasurer_quorum": number | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "campaigns"
        isOneToOne: true
        isSetofReturn: false
      } },
"cancel_payout":
{ Args: { "payout_id": string }; Returns: {
              "account_mask": string,
"amount": number,
"approvals_required": number,
"approved_at": string | null,
"approvers": (string)[],
"bank_name": string | null,
"beneficiary_mask": string,
"campaign_id": string,
"created_at": string,
"currency": string,
"decided_by": string | null,
"id": string,
"institution_id": string | null,
"method": Database["public"]['Enums']["payout_method"],
"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,
"paid_at": string | null,
"reason": string | null,
"reference": string | null,
"requested_by": string | null,
"status": Database["public"]['Enums']["payout_status"],
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "payout_requests"
        isOneToOne: true
        isSetofReturn: false
      } },
"cancel_recurring_gift":
{ Args: { "gift_id": string }; Returns: {
              "amount": number,
"campaign_id": string,
"created_at": string,
"currency": string,
"donor_email": string | null,
"donor_id": string | null,
"donor_name": string | null,
"end_reason": Database["public"]['Enums']["recurring_gift_end_reason"] | null,
"ended_at": string | null,
"failed_payments": number,
"id": string,
"is_anonymous": boolean,
"last_failure_at": string | null,
"locale": Database["public"]['Enums']["locale"],
"started_at": string | null,
"status": Database["public"]['Enums']["recurring_gift_status"],
"stopped_at": string | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "recurring_gifts"
        isOneToOne: true
        isSetofReturn: false
      } },
"clear_justification":
{ Args: { "note": string,"payout_id": string }; Returns: Database["public"]['CompositeTypes']["payout_justification"]
                          SetofOptions: {
        from: "*"
        to: "payout_justification"
        isOneToOne: true
        isSetofReturn: false
      } },
"close_campaign_with_refunds":
{ Args: { "campaign_id": string,"reason": string }; Returns: {
              "category": string | null,
"city": string | null,
"collected_amount": number,
"content_edited_at": string | null,
"country": string | null,
"cover": string | null,
"created_at": string,
"currency": string,
"donor_count": number,
"ends_at": string | null,
"featured": boolean,
"goal_amount": number,
"goal_reached_at": string | null,
"id": string,
"is_open": boolean,
"is_published": boolean,
"offline_amount": number,
"owner_id": string | null,
"progress_bp": number | null,
"progress_with_offline_bp": number | null,
"published_at": string | null,
"rejection_reason": string | null,
"slug": string,
"starts_at": string | null,
"status": Database["public"]['Enums']["campaign_status"],
"story": string | null,
"summary": string | null,
"tags": (string)[],
"title": string,
"treasurer_quorum": number | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "campaigns"
        isOneToOne: true
        isSetofReturn: false
      } },
"cover_urls":
{ Args: { "campaign": Omit<Database["public"]['Tables']["campaigns"]['Row'], Database["public"]['Tables']["campaigns"]['ComputedFields']> }; Returns: Database["public"]['CompositeTypes']["delivery_urls"]
                          SetofOptions: {
        from: "campaigns"
        to: "delivery_urls"
        isOneToOne: true
        isSetofReturn: false
      } },
"deactivate_institution":
{ Args: { "institution_id": string,"reason": string }; Returns: {
              "account_mask": string,
"bank_name": string | null,
"beneficiary_mask": string,
"city": string,
"country": string,
"created_at": string,
"deactivated_at": string | null,
"id": string,
"kind": Database["public"]['Enums']["institution_kind"],
"method": Database["public"]['Enums']["payout_method"],
"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,
"name": string,
"updated_at": string,
"verified_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "institutions"
        isOneToOne: true
        isSetofReturn: false
      } },
"delete_justification_line":
{ Args: { "line_id": string }; Returns: undefined
                           },
"delivery_urls":
{ Args: { "media": Omit<Database["public"]['Tables']["campaign_media"]['Row'], Database["public"]['Tables']["campaign_media"]['ComputedFields']> }; Returns: Database["public"]['CompositeTypes']["delivery_urls"]
                          SetofOptions: {
        from: "campaign_media"
        to: "delivery_urls"
        isOneToOne: true
        isSetofReturn: false
      } },
"donation_quote":
{ Args: { "amount": number,"campaign_id": string,"cover_fees"?: boolean,"currency"?: string,"payment_method"?: string,"provider"?: string,"tip_amount"?: number }; Returns: Database["public"]['CompositeTypes']["donation_quote"]
                          SetofOptions: {
        from: "*"
        to: "donation_quote"
        isOneToOne: true
        isSetofReturn: false
      } },
"edit_justification_line":
{ Args: { "amount": number,"description": string,"line_id": string,"public_image_ref"?: string,"receipt_ref"?: string,"spent_on": string,"supplier": string }; Returns: {
              "amount": number,
"campaign_id": string,
"created_at": string,
"created_by": string | null,
"currency": string,
"description": string,
"id": string,
"payout_id": string,
"public_image_ref": string | null,
"published_at": string | null,
"published_by": string | null,
"removed_at": string | null,
"removed_by": string | null,
"removed_reason": string | null,
"spent_on": string,
"status": Database["public"]['Enums']["justification_status"],
"supplier": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "justification_lines"
        isOneToOne: true
        isSetofReturn: false
      } },
"feature_campaign":
{ Args: { "campaign_id": string,"featured"?: boolean }; Returns: {
              "category": string | null,
"city": string | null,
"collected_amount": number,
"content_edited_at": string | null,
"country": string | null,
"cover": string | null,
"created_at": string,
"currency": string,
"donor_count": number,
"ends_at": string | null,
"featured": boolean,
"goal_amount": number,
"goal_reached_at": string | null,
"id": string,
"is_open": boolean,
"is_published": boolean,
"offline_amount": number,
"owner_id": string | null,
"progress_bp": number | null,
"progress_with_offline_bp": number | null,
"published_at": string | null,
"rejection_reason": string | null,
"slug": string,
"starts_at": string | null,
"status": Database["public"]['Enums']["campaign_status"],
"story": string | null,
"summary": string | null,
"tags": (string)[],
"title": string,
"treasurer_quorum": number | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "campaigns"
        isOneToOne: true
        isSetofReturn: false
      } },
"featured_campaigns":
{ Args: { "page_size"?: number }; Returns: {
              "category": string | null,
"city": string | null,
"collected_amount": number,
"content_edited_at": string | null,
"country": string | null,
"cover": string | null,
"created_at": string,
"currency": string,
"donor_count": number,
"ends_at": string | null,
"featured": boolean,
"goal_amount": number,
"goal_reached_at": string | null,
"id": string,
"is_open": boolean,
"is_published": boolean,
"offline_amount": number,
"owner_id": string | null,
"progress_bp": number | null,
"progress_with_offline_bp": number | null,
"published_at": string | null,
"rejection_reason": string | null,
"slug": string,
"starts_at": string | null,
"status": Database["public"]['Enums']["campaign_status"],
"story": string | null,
"summary": string | null,
"tags": (string)[],
"title": string,
"treasurer_quorum": number | null,
"updated_at": string
            }[]
                          SetofOptions: {
        from: "*"
        to: "campaigns"
        isOneToOne: false
        isSetofReturn: true
      } },
"fixed_parities":
{ Args: Record<PropertyKey, never>; Returns: {
              "base_currency": string,"quote_currency": string,"rate": number
            }[]
                           },
"freeze_campaign":
{ Args: { "campaign_id": string,"reason": string }; Returns: {
              "category": string | null,
"city": string | null,
"collected_amount": number,
"content_edited_at": string | null,
"country": string | null,
"cover": string | null,
"created_at": string,
"currency": string,
"donor_count": number,
"ends_at": string | null,
"featured": boolean,
"goal_amount": number,
"goal_reached_at": string | null,
"id": string,
"is_open": boolean,
"is_published": boolean,
"offline_amount": number,
"owner_id": string | null,
"progress_bp": number | null,
"progress_with_offline_bp": number | null,
"published_at": string | null,
"rejection_reason": string | null,
"slug": string,
"starts_at": string | null,
"status": Database["public"]['Enums']["campaign_status"],
"story": string | null,
"summary": string | null,
"tags": (string)[],
"title": string,
"treasurer_quorum": number | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "campaigns"
        isOneToOne: true
        isSetofReturn: false
      } },
"invitation_by_token":
{ Args: { "token": string }; Returns: Database["public"]['CompositeTypes']["invitation_page"][]
                          SetofOptions: {
        from: "*"
        to: "invitation_page"
        isOneToOne: false
        isSetofReturn: true
      } },
"invite_to_campaign":
{ Args: { "campaign_id": string,"email": string,"message"?: string,"role"?: Database["public"]['Enums']["invitation_role"] }; Returns: {
              "accepted_by": string | null,
"campaign_id": string,
"created_at": string,
"email": string,
"expires_at": string,
"id": string,
"invited_by": string | null,
"last_sent_at": string,
"message": string | null,
"responded_at": string | null,
"role": Database["public"]['Enums']["invitation_role"],
"send_count": number,
"status": Database["public"]['Enums']["invitation_status"]
            }
                          SetofOptions: {
        from: "*"
        to: "campaign_invitations"
        isOneToOne: true
        isSetofReturn: false
      } },
"justification_overdue":
{ Args: { "c": Omit<Database["public"]['Tables']["campaigns"]['Row'], Database["public"]['Tables']["campaigns"]['ComputedFields']> }; Returns: boolean
                           },
"mark_payout_failed":
{ Args: { "payout_id": string,"reason": string }; Returns: {
              "account_mask": string,
"amount": number,
"approvals_required": number,
"approved_at": string | null,
"approvers": (string)[],
"bank_name": string | null,
"beneficiary_mask": string,
"campaign_id": string,
"created_at": string,
"currency": string,
"decided_by": string | null,
"id": string,
"institution_id": string | null,
"method": Database["public"]['Enums']["payout_method"],
"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,
"paid_at": string | null,
"reason": string | null,
"reference": string | null,
"requested_by": string | null,
"status": Database["public"]['Enums']["payout_status"],
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "payout_requests"
        isOneToOne: true
        isSetofReturn: false
      } },
"mark_payout_paid":
{ Args: { "payout_id": string,"reference": string }; Returns: {
              "account_mask": string,
"amount": number,
"approvals_required": number,
"approved_at": string | null,
"approvers": (string)[],
"bank_name": string | null,
"beneficiary_mask": string,
"campaign_id": string,
"created_at": string,
"currency": string,
"decided_by": string | null,
"id": string,
"institution_id": string | null,
"method": Database["public"]['Enums']["payout_method"],
"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,
"paid_at": string | null,
"reason": string | null,
"reference": string | null,
"requested_by": string | null,
"status": Database["public"]['Enums']["payout_status"],
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "payout_requests"
        isOneToOne: true
        isSetofReturn: false
      } },
"media_urls":
{ Args: { "campaign_update": Omit<Database["public"]['Tables']["campaign_updates"]['Row'], Database["public"]['Tables']["campaign_updates"]['ComputedFields']> }; Returns: Database["public"]['CompositeTypes']["delivery_urls"]
                          SetofOptions: {
        from: "campaign_updates"
        to: "delivery_urls"
        isOneToOne: true
        isSetofReturn: false
      } },
"my_donations":
{ Args: Record<PropertyKey, never>; Returns: {
              "amount": number,"campaign_id": string,"campaign_slug": string,"campaign_title": string,"created_at": string,"currency": string,"id": string,"is_anonymous": boolean,"message": string,"refunded_amount": number,"status": Database["public"]['Enums']["donation_status"],"succeeded_at": string,"tip_amount": number
            }[]
                           },
"my_receipts":
{ Args: { "donation_id"?: string }; Returns: {
              "amount": number,"campaign_title": string,"currency": string,"donation_id": string,"id": string,"issued_at": string,"kind": Database["public"]['Enums']["receipt_kind"],"link": string,"number": string,"tip_amount": number,"voided_at": string
            }[]
                           },
"payout_blockers":
{ Args: { "payout_id": string }; Returns: Database["public"]['CompositeTypes']["payout_blocker"][]
                          SetofOptions: {
        from: "*"
        to: "payout_blocker"
        isOneToOne: false
        isSetofReturn: true
      } },
"payout_justifications":
{ Args: { "campaign_id": string }; Returns: Database["public"]['CompositeTypes']["payout_justification"][]
                          SetofOptions: {
        from: "*"
        to: "payout_justification"
        isOneToOne: false
        isSetofReturn: true
      } },
"publish_justification":
{ Args: { "payout_id": string }; Returns: Database["public"]['CompositeTypes']["payout_justification"]
                          SetofOptions: {
        from: "*"
        to: "payout_justification"
        isOneToOne: true
        isSetofReturn: false
      } },
"record_manual_refund":
{ Args: { "order_id": string,"reference": string }; Returns: {
              "amount": number,
"campaign_id": string,
"created_at": string,
"created_by": string | null,
"currency": string,
"donation_id": string,
"error": string | null,
"id": string,
"payment_ref": string | null,
"provider": Database["public"]['Enums']["payment_provider"],
"provider_amount": number | null,
"provider_refund_id": string | null,
"refunded_at": string | null,
"requested_at": string | null,
"status": Database["public"]['Enums']["refund_order_status"],
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "refund_orders"
        isOneToOne: true
        isSetofReturn: false
      } },
"record_offline_gift":
{ Args: { "amount": number,"campaign_id": string,"channel": Database["public"]['Enums']["offline_gift_channel"],"currency": string,"giver_consented"?: boolean,"giver_name"?: string,"received_on": string,"slip_ref": string }; Returns: {
              "amount": number,
"attested_at": string | null,
"attested_by": string | null,
"campaign_id": string,
"channel": Database["public"]['Enums']["offline_gift_channel"],
"currency": string,
"giver_consented": boolean,
"giver_name": string | null,
"id": string,
"reason": string | null,
"received_on": string,
"recorded_at": string,
"recorded_by": string | null,
"refused_at": string | null,
"refused_by": string | null,
"slip_ref": string,
"status": Database["public"]['Enums']["offline_gift_status"],
"withdrawn_at": string | null,
"withdrawn_by": string | null
            }
                          SetofOptions: {
        from: "*"
        to: "offline_gifts"
        isOneToOne: true
        isSetofReturn: false
      } },
"record_refund_request":
{ Args: { "error"?: string,"order_id": string,"provider_refund_id": string }; Returns: {
              "amount": number,
"campaign_id": string,
"created_at": string,
"created_by": string | null,
"currency": string,
"donation_id": string,
"error": string | null,
"id": string,
"payment_ref": string | null,
"provider": Database["public"]['Enums']["payment_provider"],
"provider_amount": number | null,
"provider_refund_id": string | null,
"refunded_at": string | null,
"requested_at": string | null,
"status": Database["public"]['Enums']["refund_order_status"],
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "refund_orders"
        isOneToOne: true
        isSetofReturn: false
      } },
"refuse_offline_gift":
{ Args: { "gift_id": string,"reason": string }; Returns: {
              "amount": number,
"attested_at": string | null,
"attested_by": string | null,
"campaign_id": string,
"channel": Database["public"]['Enums']["offline_gift_channel"],
"currency": string,
"giver_consented": boolean,
"giver_name": string | null,
"id": string,
"reason": string | null,
"received_on": string,
"recorded_at": string,
"recorded_by": string | null,
"refused_at": string | null,
"refused_by": string | null,
"slip_ref": string,
"status": Database["public"]['Enums']["offline_gift_status"],
"withdrawn_at": string | null,
"withdrawn_by": string | null
            }
                          SetofOptions: {
        from: "*"
        to: "offline_gifts"
        isOneToOne: true
        isSetofReturn: false
      } },
"register_institution":
{ Args: { "account_number"?: string,"bank_name"?: string,"beneficiary_name": string,"city": string,"country": string,"document_ref": string,"kind": Database["public"]['Enums']["institution_kind"],"method": Database["public"]['Enums']["payout_method"],"mobile_operator"?: Database["public"]['Enums']["mobile_money_operator"],"name": string,"phone_number"?: string }; Returns: {
              "account_mask": string,
"bank_name": string | null,
"beneficiary_mask": string,
"city": string,
"country": string,
"created_at": string,
"deactivated_at": string | null,
"id": string,
"kind": Database["public"]['Enums']["institution_kind"],
"method": Database["public"]['Enums']["payout_method"],
"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,
"name": string,
"updated_at": string,
"verified_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "institutions"
        isOneToOne: true
        isSetofReturn: false
      } },
"register_organisation":
{ Args: { "address": string,"ifu"?: string,"legal_mention_en": string,"legal_mention_fr": string,"legal_name": string,"ninea"?: string,"rccm"?: string }; Returns: {
              "address": string,
"created_at": string,
"created_by": string | null,
"id": string,
"ifu": string | null,
"legal_mention_en": string,
"legal_mention_fr": string,
"legal_name": string,
"ninea": string | null,
"rccm": string | null
            }
                          SetofOptions: {
        from: "*"
        to: "organisations"
        isOneToOne: true
        isSetofReturn: false
      } },
"reject_campaign":
{ Args: { "campaign_id": string,"reason": string }; Returns: {
              "category": string | null,
"city": string | null,
"collected_amount": number,
"content_edited_at": string | null,
"country": string | null,
"cover": string | null,
"created_at": string,
"currency": string,
"donor_count": number,
"ends_at": string | null,
"featured": boolean,
"goal_amount": number,
"goal_reached_at": string | null,
"id": string,
"is_open": boolean,
"is_published": boolean,
"offline_amount": number,
"owner_id": string | null,
"progress_bp": number | null,
"progress_with_offline_bp": number | null,
"published_at": string | null,
"rejection_reason": string | null,
"slug": string,
"starts_at": string | null,
"status": Database["public"]['Enums']["campaign_status"],
"story": string | null,
"summary": string | null,
"tags": (string)[],
"title": string,
"treasurer_quorum": number | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "campaigns"
        isOneToOne: true
        isSetofReturn: false
      } },
"reject_payout":
{ Args: { "payout_id": string,"reason": string }; Returns: {
              "account_mask": string,
"amount": number,
"approvals_required": number,
"approved_at": string | null,
"approvers": (string)[],
"bank_name": string | null,
"beneficiary_mask": string,
"campaign_id": string,
"created_at": string,
"currency": string,
"decided_by": string | null,
"id": string,
"institution_id": string | null,
"method": Database["public"]['Enums']["payout_method"],
"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,
"paid_at": string | null,
"reason": string | null,
"reference": string | null,
"requested_by": string | null,
"status": Database["public"]['Enums']["payout_status"],
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "payout_requests"
        isOneToOne: true
        isSetofReturn: false
      } },
"remove_justification_line":
{ Args: { "line_id": string,"reason": string }; Returns: {
              "amount": number,
"campaign_id": string,
"created_at": string,
"created_by": string | null,
"currency": string,
"description": string,
"id": string,
"payout_id": string,
"public_image_ref": string | null,
"published_at": string | null,
"published_by": string | null,
"removed_at": string | null,
"removed_by": string | null,
"removed_reason": string | null,
"spent_on": string,
"status": Database["public"]['Enums']["justification_status"],
"supplier": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "justification_lines"
        isOneToOne: true
        isSetofReturn: false
      } },
"reorder_campaign_media":
{ Args: { "campaign_id": string,"public_ids": (string)[] }; Returns: {
              "bytes": number | null,
"campaign_id": string,
"created_at": string,
"duration": number | null,
"height": number | null,
"hidden": boolean,
"id": string,
"position": number,
"public_id": string,
"resource_type": Database["public"]['Enums']["media_type"],
"width": number | null
            }[]
                          SetofOptions: {
        from: "*"
        to: "campaign_media"
        isOneToOne: false
        isSetofReturn: true
      } },
"request_payout":
{ Args: { "account_number"?: string,"amount": number,"bank_name"?: string,"beneficiary_name": string,"campaign_id": string,"method": Database["public"]['Enums']["payout_method"],"mobile_operator"?: Database["public"]['Enums']["mobile_money_operator"],"phone_number"?: string }; Returns: {
              "account_mask": string,
"amount": number,
"approvals_required": number,
"approved_at": string | null,
"approvers": (string)[],
"bank_name": string | null,
"beneficiary_mask": string,
"campaign_id": string,
"created_at": string,
"currency": string,
"decided_by": string | null,
"id": string,
"institution_id": string | null,
"method": Database["public"]['Enums']["payout_method"],
"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,
"paid_at": string | null,
"reason": string | null,
"reference": string | null,
"requested_by": string | null,
"status": Database["public"]['Enums']["payout_status"],
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "payout_requests"
        isOneToOne: true
        isSetofReturn: false
      } },
"request_payout_to_institution":
{ Args: { "amount": number,"campaign_id": string,"institution_id": string }; Returns: {
              "account_mask": string,
"amount": number,
"approvals_required": number,
"approved_at": string | null,
"approvers": (string)[],
"bank_name": string | null,
"beneficiary_mask": string,
"campaign_id": string,
"created_at": string,
"currency": string,
"decided_by": string | null,
"id": string,
"institution_id": string | null,
"method": Database["public"]['Enums']["payout_method"],
"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,
"paid_at": string | null,
"reason": string | null,
"reference": string | null,
"requested_by": string | null,
"status": Database["public"]['Enums']["payout_status"],
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "payout_requests"
        isOneToOne: true
        isSetofReturn: false
      } },
"resend_invitation":
{ Args: { "invitation_id": string }; Returns: {
              "accepted_by": string | null,
"campaign_id": string,
"created_at": string,
"email": string,
"expires_at": string,
"id": string,
"invited_by": string | null,
"last_sent_at": string,
"message": string | null,
"responded_at": string | null,
"role": Database["public"]['Enums']["invitation_role"],
"send_count": number,
"status": Database["public"]['Enums']["invitation_status"]
            }
                          SetofOptions: {
        from: "*"
        to: "campaign_invitations"
        isOneToOne: true
        isSetofReturn: false
      } },
"resolve_report":
{ Args: { "note"?: string,"report_id": string,"status": Database["public"]['Enums']["report_status"] }; Returns: {
              "campaign_id": string | null,
"comment_id": string | null,
"created_at": string,
"details": string | null,
"id": string,
"reason": Database["public"]['Enums']["report_reason"],
"reporter_id": string,
"resolution_note": string | null,
"resolved_at": string | null,
"resolved_by": string | null,
"status": Database["public"]['Enums']["report_status"]
            }
                          SetofOptions: {
        from: "*"
        to: "reports"
        isOneToOne: true
        isSetofReturn: false
      } },
"review_campaign_document":
{ Args: { "document_id": string,"note"?: string,"status": Database["public"]['Enums']["document_status"] }; Returns: {
              "campaign_id": string,
"created_at": string,
"document_type": string,
"file_ref": string,
"id": string,
"review_note": string | null,
"reviewed_at": string | null,
"reviewed_by": string | null,
"status": Database["public"]['Enums']["document_status"],
"uploaded_by": string | null
            }
                          SetofOptions: {
        from: "*"
        to: "campaign_documents"
        isOneToOne: true
        isSetofReturn: false
      } },
"review_campaign_edit":
{ Args: { "accept": boolean,"campaign_id": string,"reason"?: string }; Returns: {
              "approved_cover": string | null,
"approved_story": string | null,
"approved_summary": string | null,
"approved_title": string,
"campaign_id": string,
"decided_at": string | null,
"decided_by": string | null,
"edited_by": string | null,
"editors": (string)[],
"first_edited_at": string,
"id": string,
"last_edited_at": string,
"reason": string | null,
"status": Database["public"]['Enums']["edit_review_status"]
            }
                          SetofOptions: {
        from: "*"
        to: "campaign_edit_reviews"
        isOneToOne: true
        isSetofReturn: false
      } },
"revoke_invitation":
{ Args: { "invitation_id": string }; Returns: {
              "accepted_by": string | null,
"campaign_id": string,
"created_at": string,
"email": string,
"expires_at": string,
"id": string,
"invited_by": string | null,
"last_sent_at": string,
"message": string | null,
"responded_at": string | null,
"role": Database["public"]['Enums']["invitation_role"],
"send_count": number,
"status": Database["public"]['Enums']["invitation_status"]
            }
                          SetofOptions: {
        from: "*"
        to: "campaign_invitations"
        isOneToOne: true
        isSetofReturn: false
      } },
"search_campaigns":
{ Args: { "category"?: string,"country"?: string,"page_offset"?: number,"page_size"?: number,"q"?: string,"sort"?: string,"status"?: Database["public"]['Enums']["campaign_status"] }; Returns: {
              "category": string | null,
"city": string | null,
"collected_amount": number,
"content_edited_at": string | null,
"country": string | null,
"cover": string | null,
"created_at": string,
"currency": string,
"donor_count": number,
"ends_at": string | null,
"featured": boolean,
"goal_amount": number,
"goal_reached_at": string | null,
"id": string,
"is_open": boolean,
"is_published": boolean,
"offline_amount": number,
"owner_id": string | null,
"progress_bp": number | null,
"progress_with_offline_bp": number | null,
"published_at": string | null,
"rejection_reason": string | null,
"slug": string,
"starts_at": string | null,
"status": Database["public"]['Enums']["campaign_status"],
"story": string | null,
"summary": string | null,
"tags": (string)[],
"title": string,
"treasurer_quorum": number | null,
"updated_at": string
            }[]
                          SetofOptions: {
        from: "*"
        to: "campaigns"
        isOneToOne: false
        isSetofReturn: true
      } },
"set_campaign_organisation":
{ Args: { "campaign_id": string,"organisation_id": string }; Returns: {
              "campaign_id": string,
"linked_at": string,
"linked_by": string | null,
"organisation_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "campaign_organisations"
        isOneToOne: true
        isSetofReturn: false
      } },
"set_exchange_rate":
{ Args: { "as_of"?: string,"base_currency": string,"origin"?: string,"quote_currency": string,"rate": number }; Returns: {
              "as_of": string,
"base_currency": string,
"origin": string | null,
"quote_currency": string,
"rate": number,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "exchange_rates"
        isOneToOne: true
        isSetofReturn: false
      } },
"set_institution_threshold":
{ Args: { "above": number,"category": string,"currency": string }; Returns: undefined
                           },
"set_treasurers":
{ Args: { "campaign_id": string,"quorum"?: number,"treasurer_ids": (string)[] }; Returns: undefined
                           },
"submit_campaign":
{ Args: { "campaign_id": string }; Returns: {
              "category": string | null,
"city": string | null,
"collected_amount": number,
"content_edited_at": string | null,
"country": string | null,
"cover": string | null,
"created_at": string,
"currency": string,
"donor_count": number,
"ends_at": string | null,
"featured": boolean,
"goal_amount": number,
"goal_reached_at": string | null,
"id": string,
"is_open": boolean,
"is_published": boolean,
"offline_amount": number,
"owner_id": string | null,
"progress_bp": number | null,
"progress_with_offline_bp": number | null,
"published_at": string | null,
"rejection_reason": string | null,
"slug": string,
"starts_at": string | null,
"status": Database["public"]['Enums']["campaign_status"],
"story": string | null,
"summary": string | null,
"tags": (string)[],
"title": string,
"treasurer_quorum": number | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "campaigns"
        isOneToOne: true
        isSetofReturn: false
      } },
"unfreeze_campaign":
{ Args: { "campaign_id": string,"note": string }; Returns: {
              "category": string | null,
"city": string | null,
"collected_amount": number,
"content_edited_at": string | null,
"country": string | null,
"cover": string | null,
"created_at": string,
"currency": string,
"donor_count": number,
"ends_at": string | null,
"featured": boolean,
"goal_amount": number,
"goal_reached_at": string | null,
"id": string,
"is_open": boolean,
"is_published": boolean,
"offline_amount": number,
"owner_id": string | null,
"progress_bp": number | null,
"progress_with_offline_bp": number | null,
"published_at": string | null,
"rejection_reason": string | null,
"slug": string,
"starts_at": string | null,
"status": Database["public"]['Enums']["campaign_status"],
"story": string | null,
"summary": string | null,
"tags": (string)[],
"title": string,
"treasurer_quorum": number | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "campaigns"
        isOneToOne: true
        isSetofReturn: false
      } },
"update_institution":
{ Args: { "account_number"?: string,"bank_name"?: string,"beneficiary_name": string,"city": string,"country": string,"document_ref": string,"institution_id": string,"kind": Database["public"]['Enums']["institution_kind"],"method": Database["public"]['Enums']["payout_method"],"mobile_operator"?: Database["public"]['Enums']["mobile_money_operator"],"name": string,"phone_number"?: string }; Returns: {
              "account_mask": string,
"bank_name": string | null,
"beneficiary_mask": string,
"city": string,
"country": string,
"created_at": string,
"deactivated_at": string | null,
"id": string,
"kind": Database["public"]['Enums']["institution_kind"],
"method": Database["public"]['Enums']["payout_method"],
"mobile_operator": Database["public"]['Enums']["mobile_money_operator"] | null,
"name": string,
"updated_at": string,
"verified_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "institutions"
        isOneToOne: true
        isSetofReturn: false
      } },
"withdraw_offline_gift":
{ Args: { "gift_id": string,"reason": string }; Returns: {
              "amount": number,
"attested_at": string | null,
"attested_by": string | null,
"campaign_id": string,
"channel": Database["public"]['Enums']["offline_gift_channel"],
"currency": string,
"giver_consented": boolean,
"giver_name": string | null,
"id": string,
"reason": string | null,
"received_on": string,
"recorded_at": string,
"recorded_by": string | null,
"refused_at": string | null,
"refused_by": string | null,
"slip_ref": string,
"status": Database["public"]['Enums']["offline_gift_status"],
"withdrawn_at": string | null,
"withdrawn_by": string | null
            }
                          SetofOptions: {
        from: "*"
        to: "offline_gifts"
        isOneToOne: true
        isSetofReturn: false
      } }
          }
          Enums: {
            "app_role": "moderator"|"admin","campaign_status": "draft"|"pending_review"|"active"|"funded"|"rejected"|"expired"|"cancelled"|"frozen","dispute_status": "open"|"won"|"lost","document_status": "pending"|"accepted"|"rejected","donation_status": "pending"|"succeeded"|"failed"|"canceled"|"partially_refunded"|"refunded","edit_review_status": "pending"|"accepted"|"restored","institution_kind": "hospital"|"clinic"|"school"|"university"|"funeral_home","invitation_role": "co_organizer"|"contributor","invitation_status": "pending"|"accepted"|"revoked","justification_status": "draft"|"published"|"removed","locale": "fr"|"en","media_type": "image"|"video","member_role": "co_organizer","mobile_money_operator": "orange_money"|"mtn_momo"|"moov_money"|"wave"|"free_money"|"airtel_money"|"mpesa","notification_kind": "donation_received"|"goal_reached"|"campaign_ending"|"campaign_ended"|"campaign_update"|"moderation_decision"|"new_comment"|"invitation"|"payout_update"|"campaign_frozen"|"campaign_unfrozen"|"campaign_closed"|"campaign_edit_restored"|"justification_published"|"justification_overdue"|"offline_gift_to_attest"|"offline_gift_attested"|"offline_gift_refused"|"offline_gift_withdrawn"|"recurring_gift_started"|"recurring_gift_ended","offline_gift_channel": "cash"|"agent","offline_gift_status": "pending"|"attested"|"refused"|"withdrawn","payment_provider": "stripe"|"cinetpay"|"paystack","payout_method": "bank_account"|"mobile_money","payout_status": "requested"|"approved"|"paid"|"failed"|"rejected"|"cancelled","receipt_kind": "receipt"|"credit_note","recurring_gift_end_reason": "canceled_by_donor"|"campaign_closed"|"payment_failed"|"canceled_at_provider"|"checkout_abandoned"|"donation_refused","recurring_gift_status": "pending"|"active"|"ending"|"ended","refund_order_status": "pending"|"requested"|"refunded"|"manual"|"failed","report_reason": "fraud"|"inappropriate"|"spam"|"harassment"|"misinformation"|"other","report_status": "open"|"resolved"|"dismissed"
          }
          CompositeTypes: {
            "attested_offline_gift": {
                        "id": string | null,"amount": number | null,"currency": string | null,"received_on": string | null,"channel": Database["public"]['Enums']["offline_gift_channel"] | null,"giver_name": string | null,"attested_at": string | null
                      },"campaign_balance": {
                        "campaign_id": string | null,"currency": string | null,"collected": number | null,"platform_fees": number | null,"processor_fees": number | null,"in_progress": number | null,"paid_out": number | null,"available": number | null
                      },"campaign_dashboard": {
                        "campaign_id": string | null,"status": Database["public"]['Enums']["campaign_status"] | null,"currency": string | null,"goal_amount": number | null,"collected_amount": number | null,"donor_count": number | null,"progress_bp": number | null,"goal_reached_at": string | null,"published_at": string | null,"ends_at": string | null,"donations_per_day": (Database["public"]['CompositeTypes']["donation_day"])[] | null,"recent_donations": (Database["public"]['CompositeTypes']["campaign_donation"])[] | null
                      },"campaign_donation": {
                        "id": string | null,"donor_name": string | null,"is_anonymous": boolean | null,"amount": number | null,"currency": string | null,"message": string | null,"donated_at": string | null
                      },"campaign_spending": {
                        "campaign_id": string | null,"currency": string | null,"collected": number | null,"paid_out": number | null,"justified": number | null,"overdue": boolean | null
                      },"delivery_urls": {
                        "small": string | null,"medium": string | null,"large": string | null,"poster": string | null
                      },"donation_day": {
                        "day": string | null,"count": number | null,"amount": number | null
                      },"donation_quote": {
                        "campaign_id": string | null,"campaign_currency": string | null,"provider": Database["public"]['Enums']["payment_provider"] | null,"covers_fees": boolean | null,"gift_amount": number | null,"tip_amount": number | null,"charged_amount": number | null,"processor_fee": number | null,"campaign_processor_fee": number | null,"tip_processor_fee": number | null,"platform_fee_bp": number | null,"platform_fee": number | null,"net_amount": number | null,"pay_currency": string | null,"pay_charged_amount": number | null,"pay_net_amount": number | null,"rate": number | null,"rate_source": string | null,"rate_as_of": string | null
                      },"invitation_page": {
                        "campaign_id": string | null,"campaign_title": string | null,"campaign_slug": string | null,"role": Database["public"]['Enums']["invitation_role"] | null,"inviter_name": string | null,"message": string | null,"expires_at": string | null,"status": string | null
                      },"payout_blocker": {
                        "reason": string | null,"approvals": number | null,"required": number | null,"document_type": string | null,"label_fr": string | null,"label_en": string | null,"note": string | null
                      },"payout_justification": {
                        "payout_id": string | null,"paid_at": string | null,"amount": number | null,"currency": string | null,"justified": number | null,"due_at": string | null,"cleared_at": string | null,"overdue": boolean | null
                      }
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            "app_role": ["moderator", "admin"],"campaign_status": ["draft", "pending_review", "active", "funded", "rejected", "expired", "cancelled", "frozen"],"dispute_status": ["open", "won", "lost"],"document_status": ["pending", "accepted", "rejected"],"donation_status": ["pending", "succeeded", "failed", "canceled", "partially_refunded", "refunded"],"edit_review_status": ["pending", "accepted", "restored"],"institution_kind": ["hospital", "clinic", "school", "university", "funeral_home"],"invitation_role": ["co_organizer", "contributor"],"invitation_status": ["pending", "accepted", "revoked"],"justification_status": ["draft", "published", "removed"],"locale": ["fr", "en"],"media_type": ["image", "video"],"member_role": ["co_organizer"],"mobile_money_operator": ["orange_money", "mtn_momo", "moov_money", "wave", "free_money", "airtel_money", "mpesa"],"notification_kind": ["donation_received", "goal_reached", "campaign_ending", "campaign_ended", "campaign_update", "moderation_decision", "new_comment", "invitation", "payout_update", "campaign_frozen", "campaign_unfrozen", "campaign_closed", "campaign_edit_restored", "justification_published", "justification_overdue", "offline_gift_to_attest", "offline_gift_attested", "offline_gift_refused", "offline_gift_withdrawn", "recurring_gift_started", "recurring_gift_ended"],"offline_gift_channel": ["cash", "agent"],"offline_gift_status": ["pending", "attested", "refused", "withdrawn"],"payment_provider": ["stripe", "cinetpay", "paystack"],"payout_method": ["bank_account", "mobile_money"],"payout_status": ["requested", "approved", "paid", "failed", "rejected", "cancelled"],"receipt_kind": ["receipt", "credit_note"],"recurring_gift_end_reason": ["canceled_by_donor", "campaign_closed", "payment_failed", "canceled_at_provider", "checkout_abandoned", "donation_refused"],"recurring_gift_status": ["pending", "active", "ending", "ended"],"refund_order_status": ["pending", "requested", "refunded", "manual", "failed"],"report_reason": ["fraud", "inappropriate", "spam", "harassment", "misinformation", "other"],"report_status": ["open", "resolved", "dismissed"]
          }
        }
} as const
